using System.CommandLine;
using RedirectRouter.Agent.Diagnostics;
using RedirectRouter.Agent.Setup;

namespace RedirectRouter.Cli.Commands;

/// <summary>
/// <c>redirect-router cleanup [--netns NAME|PATH | --pid PID]</c>: removes what the agent owns in a router's namespace
/// (policy rules, routes and their tables, the macvlans it created with their addresses, its nftables tables and
/// iptables chains), idempotently, and prints each thing it removed.
/// </summary>
public static class CleanupCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("cleanup", "Remove what redirect-router owns in a namespace (rules, tables, chains, routes, addresses, the macvlans it created); says what it removed. Idempotent.");
        var target = new NamespaceTargetOptions(command, "The PID of any process in the router's pod.");
        var tools = new ToolOptions(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = new DiagOptions { Netns = target.NetnsValue(parseResult, context), Pid = parseResult.GetValue(target.Pid) }.TargetPath;
            // Another namespace's ruleset is read and changed through nsenter.
            if (!tools.Apply(parseResult, context, out var toolError, path is null ? [] : ["nsenter"]))
            {
                return toolError;
            }

            var missing = PrivilegeProbe.Missing(needsHostNamespace: path is not null);
            if (missing.Count > 0)
            {
                context.Stderr.WriteLine($"error: missing capabilities: {string.Join(", ", missing)}");
                return ExitCodes.MissingPrivilegeOrTool;
            }

            if (path is not null && !File.Exists(path))
            {
                context.Stderr.WriteLine($"error: no network namespace at {path}");
                return ExitCodes.MissingPrivilegeOrTool;
            }

            using var loggers = AgentLogging.CreateFactory("text", debug: false);
            try
            {
                var removed = await OwnedCleanup.RunAsync(path, loggers, cancellationToken).ConfigureAwait(false);
                foreach (var item in removed)
                {
                    context.Stdout.WriteLine($"removed: {item}");
                }

                context.Stdout.WriteLine(removed.Count == 0
                    ? $"nothing to remove in {path ?? "this namespace"}"
                    : $"cleanup of {path ?? "this namespace"} done: {removed.Count} removed");
                return ExitCodes.Ok;
            }
            catch (Netfilter.Execution.ToolNotFoundException e)
            {
                context.Stderr.WriteLine($"error: a required tool is missing: {e.Message}");
                return ExitCodes.MissingPrivilegeOrTool;
            }
            catch (Exception e) when (e is Netlink.NetlinkException or Netfilter.NetfilterException or IOException or Agent.Network.SetupException)
            {
                context.Stderr.WriteLine($"error: cleanup failed: {e.Message}");
                return ExitCodes.RuntimeFailure;
            }
        });
        return command;
    }
}
