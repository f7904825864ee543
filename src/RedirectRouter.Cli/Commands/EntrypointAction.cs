using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Parsing.OpenShift;

namespace RedirectRouter.Cli.Commands;

/// <summary>
/// No command: behave as the OpenShift egress router image's entrypoint, driven by EGRESS_ROUTER_MODE.
/// unit-test prints exactly what egress-router.sh prints; the other modes go to the agent.
/// </summary>
internal static class EntrypointAction
{
    /// <summary>Runs the mode named by the environment.</summary>
    public static int Run(CliContext context)
    {
        var modeText = context.Environment.TryGetValue(OpenShiftVariables.Mode, out var text) && text.Length > 0 ? text : "legacy";
        var (openShift, result) = ConfigInput.LoadEnvironment(context);
        switch (openShift.Mode)
        {
            case OpenShiftRouterMode.Unknown:
                // The script checks EGRESS_SOURCE, then EGRESS_GATEWAY, before it looks at the mode.
                var first = openShift.FirstScriptError;
                context.Stderr.WriteLine(first is { Code: DiagnosticCodes.EnvSourceInvalid or DiagnosticCodes.EnvGatewayInvalid }
                    ? first.ScriptMessage
                    : $"Unrecognized EGRESS_ROUTER_MODE '{modeText}'");
                return ExitCodes.BadInput;

            case OpenShiftRouterMode.UnitTest:
                var output = OpenShiftScriptRules.RenderUnitTest(openShift);
                foreach (var rule in output.Rules)
                {
                    context.Stdout.WriteLine(rule);
                }
                if (output.Error is not null)
                {
                    // As the script: the error is the last line on stderr, and the exit code is 1.
                    context.Stderr.WriteLine(output.Error);
                    return ExitCodes.RuntimeFailure;
                }
                return ExitCodes.Ok;

            default:
                if (result.Config is null)
                {
                    ConfigInput.Report(context, result.Diagnostics);
                    return ExitCodes.BadInput;
                }
                if (context.EntrypointRunner is { } runner)
                {
                    return runner.Run(openShift.Mode, result.Config, context);
                }
                context.Stderr.WriteLine($"EGRESS_ROUTER_MODE '{modeText}' is not available yet in this build; use 'validate' or 'plan', or EGRESS_ROUTER_MODE=unit-test.");
                return ExitCodes.RuntimeFailure;
        }
    }
}
