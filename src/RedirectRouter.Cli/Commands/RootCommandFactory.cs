using System.CommandLine;

namespace RedirectRouter.Cli.Commands;

/// <summary>Builds the command tree; each command lives in its own file.</summary>
public static class RootCommandFactory
{
    /// <summary>Creates the root command for the real process, writing results to <paramref name="stdout"/>.</summary>
    public static RootCommand Create(TextWriter stdout, TextWriter stderr) => Create(CliContext.FromProcess(stdout, stderr));

    /// <summary>Creates the root command with every sub-command, using <paramref name="context"/> for all outside access.</summary>
    public static RootCommand Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = new RootCommand("RedirectRouter: a kernel-forwarding egress router agent (OpenShift egress router, redirect mode). "
            + "With no command it behaves as the OpenShift egress router entrypoint (EGRESS_ROUTER_MODE).");
        root.Subcommands.Add(VersionCommand.Create(context.Stdout));
        root.Subcommands.Add(ValidateCommand.Create(context));
        root.Subcommands.Add(PlanCommand.Create(context));
        root.Subcommands.Add(InitCommand.Create(context));
        root.Subcommands.Add(RunCommand.Create(context));
        root.Subcommands.Add(DiagCommand.Create(context));
        root.Subcommands.Add(CleanupCommand.Create(context));
        root.SetAction(_ => EntrypointAction.Run(context));
        return root;
    }
}
