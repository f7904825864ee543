using System.CommandLine;
using RedirectRouter.Cli.Commands;

namespace RedirectRouter.Cli;

/// <summary>Parses the command line and runs it; usage errors exit with <see cref="ExitCodes.BadInput"/>.</summary>
public static class CommandLineRunner
{
    /// <summary>Runs <paramref name="args"/> against the command tree and returns the exit code.</summary>
    public static int Run(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parseResult = RootCommandFactory.Create(context).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                context.Stderr.WriteLine($"error: {error.Message}");
            }
            context.Stderr.WriteLine("Run 'redirect-router --help' for usage.");
            return ExitCodes.BadInput;
        }
        return parseResult.Invoke(new InvocationConfiguration { Output = context.Stdout, Error = context.Stderr });
    }
}
