namespace RedirectRouter.Cli;

/// <summary>The entry point: parses the command line and dispatches to one command.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Main(string[] args)
    {
        // Work from "/": nothing is ever looked up in, or run from, a directory someone else may write to.
        var origin = Environment.CurrentDirectory;
        Directory.SetCurrentDirectory("/");
        var context = CliContext.FromProcess(Console.Out, Console.Error, origin);
        context.EntrypointRunner = new AgentEntrypointRunner();
        foreach (var renderer in RedirectRouter.Netfilter.NetfilterBackends.Renderers)
        {
            context.Renderers.Add(renderer);
        }

        return CommandLineRunner.Run(args, context);
    }
}
