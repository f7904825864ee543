using System.CommandLine;
using RedirectRouter.Cli.Commands;

namespace RedirectRouter.Cli;

/// <summary>The entry point: parses the command line and dispatches to one command.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Main(string[] args)
    {
        var root = RootCommandFactory.Create(Console.Out, Console.Error);
        return root.Parse(args).Invoke();
    }
}
