using System.CommandLine;
using System.Globalization;

namespace RedirectRouter.Cli.Commands;

/// <summary><c>redirect-router validate [--config FILE]</c>: checks the input and reports every problem; changes nothing.</summary>
public static class ValidateCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var config = ConfigInput.CreateOption();
        var command = new Command("validate", "Check the configuration and report every error (exit 2 if any). Needs no privilege; changes nothing.");
        command.Options.Add(config);
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(config);
            var result = ConfigInput.Load(context, path);
            if (result is null)
            {
                return ExitCodes.BadInput;
            }
            ConfigInput.Report(context, result.Diagnostics);
            if (result.HasErrors || result.Config is null)
            {
                var errors = result.Diagnostics.Count(d => d.IsError);
                context.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{errors} error(s); nothing was changed."));
                return ExitCodes.BadInput;
            }
            var warnings = result.Diagnostics.Count - result.Diagnostics.Count(d => d.IsError);
            context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path ?? "environment"}: valid ({result.Config.Homes.Count} home(s), {result.Config.Rules.Count} rule(s), {warnings} warning(s))"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
