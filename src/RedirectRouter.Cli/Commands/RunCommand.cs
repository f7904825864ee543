using System.CommandLine;

namespace RedirectRouter.Cli.Commands;

/// <summary><c>redirect-router run</c>: set the router up and keep it true until SIGTERM.</summary>
public static class RunCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var options = new AgentOptionSet();
        var metrics = new Option<string?>("--metrics") { Description = "Serve /healthz, /readyz and /metrics on HOST:PORT (off unless given)." };
        var cleanup = new Option<bool>("--cleanup-on-exit") { Description = "On SIGTERM, remove what the agent set up before exiting." };
        var command = new Command("run", "Set up the egress router and supervise it: repair drift, reload the configuration file, serve health and metrics.");
        options.AddTo(command);
        command.Options.Add(metrics);
        command.Options.Add(cleanup);
        command.SetAction(parseResult =>
        {
            if (!options.Tools!.Apply(parseResult, context, out var toolError))
            {
                return toolError;
            }

            var result = ConfigInput.Load(context, parseResult.GetValue(options.Config), out var configText);
            if (result is null)
            {
                return ExitCodes.BadInput;
            }

            ConfigInput.Report(context, result.Diagnostics);
            if (result.Config is null)
            {
                return ExitCodes.BadInput;
            }

            var agentOptions = options.Read(parseResult, context) with
            {
                MetricsAddress = parseResult.GetValue(metrics),
                CleanupOnExit = parseResult.GetValue(cleanup),
                ConfigHash = configText is null ? null : Agent.Inputs.ConfigFingerprint.Of(configText),
            };
            return AgentRunner.Run(result.Config, agentOptions, context, parseResult.GetValue(options.LogFormat)!);
        });
        return command;
    }
}
