using System.CommandLine;
using RedirectRouter.Agent.Cleanup;
using RedirectRouter.Agent.Diagnostics;
using RedirectRouter.Agent.Setup;
using RedirectRouter.Core.Planning;
using RedirectRouter.Core.Rendering;

namespace RedirectRouter.Cli.Commands;

/// <summary>
/// <c>redirect-router cleanup [--netns NAME|PATH | --pid PID] [--config FILE] [--dry-run] [--force]</c>: removes what
/// the agent owns in a router's namespace, and only what carries its marks (policy rules, routes and their tables,
/// the macvlans it created with their addresses, its nftables tables and iptables chains), idempotently, and prints
/// each thing it removed. It refuses (exit 2) a namespace that looks like a node's unless <c>--force</c>;
/// <c>--dry-run</c> lists what would be removed and changes nothing.
/// </summary>
public static class CleanupCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("cleanup", "Remove what redirect-router owns in a namespace (rules, tables, chains, routes, addresses, the macvlans it created): only objects that carry its marks; says what it removed. Idempotent.");
        var target = new NamespaceTargetOptions(command, "The PID of any process in the router's pod.");
        var tools = new ToolOptions(command);
        var config = new Option<string?>("--config", "-c") { Description = "The router's configuration: its parent NICs mark the node's namespace, and its rules are the ones removed on kernels before 4.17." };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be removed; change nothing." };
        var force = new Option<bool>("--force") { Description = "Clean up even a namespace that looks like a node's (it holds a parent NIC, or a default route over a link redirect-router did not make)." };
        command.Options.Add(config);
        command.Options.Add(dryRun);
        command.Options.Add(force);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = new DiagOptions { Netns = target.NetnsValue(parseResult, context), Pid = parseResult.GetValue(target.Pid) }.TargetPath;
            // Another namespace's ruleset is read and changed through nsenter.
            if (!tools.Apply(parseResult, context, out var toolError, path is null ? [] : ["nsenter"]))
            {
                return toolError;
            }

            var request = new CleanupRequest(parseResult.GetValue(dryRun), parseResult.GetValue(force));
            if (parseResult.GetValue(config) is { } configPath)
            {
                var result = ConfigInput.Load(context, configPath);
                if (result?.Config is not { } parsed)
                {
                    if (result is not null)
                    {
                        ConfigInput.Report(context, result.Diagnostics);
                    }

                    return ExitCodes.BadInput;
                }

                request = request with
                {
                    ParentNics = parsed.Homes.Select(h => h.Parent).OfType<string>().ToHashSet(StringComparer.Ordinal),
                    PlannedRules = Planner.Plan(parsed).Network.Rules,
                };
            }

            var missing = PrivilegeProbe.Missing(needsHostNamespace: path is not null);
            if (missing.Count > 0)
            {
                context.Stderr.WriteLine($"error: missing capabilities: {string.Join(", ", missing)}");
                return ExitCodes.MissingPrivilegeOrTool;
            }

            if (path is not null && !File.Exists(path))
            {
                context.Stderr.WriteLine(TextEscaping.Escape($"error: no network namespace at {path}"));
                return ExitCodes.MissingPrivilegeOrTool;
            }

            var where = path ?? "this namespace";
            using var loggers = AgentLogging.CreateFactory("text", debug: false);
            try
            {
                var outcome = await OwnedCleanup.RunAsync(path, request, loggers, cancellationToken).ConfigureAwait(false);
                if (outcome.Refusal is { } why)
                {
                    context.Stderr.WriteLine(TextEscaping.Escape($"error: refusing to clean up {where}: {why}. Nothing was changed. " +
                        "Pass --netns or --pid to name the router's namespace, or --force if this really is a router's namespace (--dry-run lists what would go)."));
                    return ExitCodes.BadInput;
                }

                var verb = request.DryRun ? "would remove" : "removed";
                foreach (var item in outcome.Items)
                {
                    context.Stdout.WriteLine(TextEscaping.Escape($"{verb}: {item}"));
                }

                context.Stdout.WriteLine(TextEscaping.Escape(outcome.Items.Count == 0
                    ? $"nothing to remove in {where}"
                    : request.DryRun
                        ? $"dry run in {where}: {outcome.Items.Count} would be removed, nothing was changed"
                        : $"cleanup of {where} done: {outcome.Items.Count} removed"));
                return ExitCodes.Ok;
            }
            catch (Netfilter.Execution.ToolNotFoundException e)
            {
                context.Stderr.WriteLine($"error: a required tool is missing: {e.Message}");
                return ExitCodes.MissingPrivilegeOrTool;
            }
            catch (Exception e) when (e is Netlink.NetlinkException or Netfilter.NetfilterException or IOException or Agent.Network.SetupException)
            {
                context.Stderr.WriteLine(TextEscaping.Escape($"error: cleanup failed: {e.Message}"));
                return ExitCodes.RuntimeFailure;
            }
        });
        return command;
    }
}
