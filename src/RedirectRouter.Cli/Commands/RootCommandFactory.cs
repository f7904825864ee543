using System.CommandLine;

namespace RedirectRouter.Cli.Commands;

/// <summary>Builds the command tree; each command lives in its own file.</summary>
public static class RootCommandFactory
{
    /// <summary>Creates the root command with every sub-command, writing results to <paramref name="stdout"/>.</summary>
    public static RootCommand Create(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("RedirectRouter: a kernel-forwarding egress router agent (OpenShift egress router, redirect mode).");
        root.Subcommands.Add(VersionCommand.Create(stdout));
        _ = stderr;
        return root;
    }
}
