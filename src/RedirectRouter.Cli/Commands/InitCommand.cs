using System.CommandLine;

namespace RedirectRouter.Cli.Commands;

/// <summary><c>redirect-router init</c>: set the router up, announce it once, and exit (the init container).</summary>
public static class InitCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var options = new AgentOptionSet();
        var command = new Command("init", "Set up the egress router (macvlan, addresses, routes, rules, NAT), announce it once, and exit.");
        options.AddTo(command);
        command.SetAction(parseResult =>
        {
            if (!options.Tools!.Apply(parseResult, context, out var toolError))
            {
                return toolError;
            }

            var result = ConfigInput.Load(context, parseResult.GetValue(options.Config));
            if (result is null)
            {
                return ExitCodes.BadInput;
            }

            ConfigInput.Report(context, result.Diagnostics);
            return result.Config is null
                ? ExitCodes.BadInput
                : AgentRunner.Init(result.Config, options.Read(parseResult, context), context, parseResult.GetValue(options.LogFormat)!);
        });
        return command;
    }
}
