using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Diagnostics;
using RedirectRouter.Agent.Network;
using RedirectRouter.Agent.Setup;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;
using RedirectRouter.Netfilter.Execution;

namespace RedirectRouter.Agent.Cleanup;

/// <summary>What <c>cleanup</c> is asked to do besides removing.</summary>
/// <param name="DryRun">List what would be removed, change nothing.</param>
/// <param name="Force">Act even in a namespace that looks like a node's.</param>
/// <param name="ParentNics">The parent NICs of the configuration, when one was given (their presence means: the node's namespace).</param>
/// <param name="PlannedRules">The configuration's policy rules: on kernels that cannot mark rules (before 4.17), only these are removed.</param>
public sealed record CleanupRequest(bool DryRun = false, bool Force = false, IReadOnlyCollection<string>? ParentNics = null, IReadOnlyList<PolicyRule>? PlannedRules = null);

/// <summary>What <c>cleanup</c> did: the objects removed (or, in a dry run, that would be), or why it refused.</summary>
/// <param name="Items">The objects, in words.</param>
/// <param name="Refusal">Why nothing was done (a node's namespace without --force); null when it ran.</param>
public sealed record CleanupOutcome(IReadOnlyList<string> Items, string? Refusal);

/// <summary>
/// <c>redirect-router cleanup</c>: removes what the agent owns in a namespace, and only what carries its marks
/// (docs/security.md, "Ownership marks"): policy rules with its rule protocol and planned shape, routes of its
/// protocol on the links it made (and so the home tables), the macvlans it made (with their addresses), its
/// nftables tables that carry its comment and its iptables <c>RR-*</c> chains that a jump with its comment leads to
/// (with those jumps), whichever backend made them. Refuses a namespace that looks like a node's unless forced.
/// Idempotent: a second run removes nothing. The running agent's <c>--cleanup-on-exit</c> uses the same removal
/// (<see cref="RemoveOwnedAsync"/>) with the backend it set up.
/// </summary>
public static partial class OwnedCleanup
{
    /// <summary>Removes everything owned in <paramref name="netnsPath"/> (null: this process's namespace); returns what was removed, in words.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(string? netnsPath, ILoggerFactory loggers, CancellationToken cancellationToken, ICommandRunner? runner = null) =>
        (await RunAsync(netnsPath, new CleanupRequest(Force: true), loggers, cancellationToken, runner).ConfigureAwait(false)).Items;

    /// <summary>Checks the namespace, then removes (or, in a dry run, lists) everything owned in <paramref name="netnsPath"/>.</summary>
    public static async Task<CleanupOutcome> RunAsync(string? netnsPath, CleanupRequest request, ILoggerFactory loggers, CancellationToken cancellationToken, ICommandRunner? runner = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(loggers);
        runner ??= CliWrapCommandRunner.Instance;
        var logger = loggers.CreateLogger(typeof(OwnedCleanup).FullName!);
        var items = new List<string>();
        using (var namespaces = RouterNamespaces.Open(netnsPath, hostPath: null))
        {
            if (!request.Force && NodeNamespaceGuard.WhyNodeNamespace(namespaces.OwnHandle, request.ParentNics ?? []) is { } why)
            {
                return new CleanupOutcome([], why);
            }

            var planned = NetworkState.Empty with { Rules = (request.PlannedRules ?? []).ToValueList() };
            if (request.DryRun)
            {
                var (observed, _) = NetworkObserver.Observe(namespaces.OwnHandle, planned);
                items.AddRange(StateDiffer.Diff(NetworkState.Empty, observed).Select(NetworkApplier.Describe));
            }
            else
            {
                items.AddRange(await RemoveOwnedAsync(namespaces, backend: null, loggers, cancellationToken, planned).ConfigureAwait(false));
            }
        }

        items.AddRange(await NetfilterBackends.RemoveOwnedAsync(runner, new NetfilterTarget(netnsPath), request.DryRun, loggers, cancellationToken).ConfigureAwait(false));

        foreach (var item in items)
        {
            LogRemoved(logger, request.DryRun ? "would " + item : item);
        }

        return new CleanupOutcome(items, null);
    }

    /// <summary>
    /// Removes everything owned in the router's namespace: its rules, routes, macvlans (with their addresses) and, when
    /// <paramref name="backend"/> is given, that backend's netfilter tables or chains; returns what was removed, in
    /// words. Idempotent. <paramref name="planned"/> tells the observer which rules are ours where the kernel cannot
    /// mark rules (its links are not used: nothing is wanted).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemoveOwnedAsync(RouterNamespaces namespaces, INetfilterBackend? backend, ILoggerFactory loggers, CancellationToken cancellationToken, NetworkState? planned = null)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(loggers);
        var ownership = NetworkState.Empty with { Rules = planned?.Rules ?? [] };
        var driver = new NetlinkNetworkDriver(namespaces);
        var (observed, links) = NetworkObserver.Observe(driver, ownership);
        var actions = StateDiffer.Diff(NetworkState.Empty, observed);
        new NetworkApplier(driver, NetworkSettings.Default, loggers.CreateLogger<NetworkApplier>()).Apply(actions, links);
        var removed = actions.Select(NetworkApplier.Describe).ToList();
        if (backend is not null)
        {
            await backend.CleanupAsync(cancellationToken).ConfigureAwait(false);
            removed.Add($"{backend.Name} rules owned by redirect-router");
        }

        return removed;
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Debug, Message = "cleanup: {Item}")]
    private static partial void LogRemoved(ILogger logger, string item);
}
