using RedirectRouter.Core.Parsing.OpenShift;

namespace RedirectRouter.Core.Tests.OpenShift;

/// <summary>Runs unit-test mode the way egress_router_test.go runs the script: environment in, stdout and the last stderr line out.</summary>
internal static class ScriptRun
{
    public static Dictionary<string, string> Env(string? source, string? gateway, string? destination, string mode = "unit-test")
    {
        var env = new Dictionary<string, string> { ["EGRESS_ROUTER_MODE"] = mode };
        if (source is not null)
        {
            env["EGRESS_SOURCE"] = source;
        }
        if (gateway is not null)
        {
            env["EGRESS_GATEWAY"] = gateway;
        }
        if (destination is not null)
        {
            env["EGRESS_DESTINATION"] = destination;
        }
        return env;
    }

    public static (string Stdout, string? Error) Run(IReadOnlyDictionary<string, string> env, string? file = null)
    {
        var output = OpenShiftScriptRules.RenderUnitTest(OpenShiftEnvironmentParser.Parse(env, file));
        return (string.Concat(output.Rules.Select(r => r + "\n")), output.Error);
    }

    public static (string Stdout, string? Error) Run(string? source, string? gateway, string? destination) =>
        Run(Env(source, gateway, destination));
}
