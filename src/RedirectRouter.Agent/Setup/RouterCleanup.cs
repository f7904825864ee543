using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;

namespace RedirectRouter.Agent.Setup;

/// <summary>Removes what the agent owns in the router's namespace: its rules, routes, macvlans (with their addresses) and netfilter tables or chains.</summary>
public static class RouterCleanup
{
    /// <summary>
    /// Removes everything owned; returns what was removed, in words. Idempotent. <paramref name="planned"/> tells the
    /// observer which rules are ours where the kernel cannot mark rules (its links are not used: nothing is wanted).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(RouterNamespaces namespaces, INetfilterBackend? backend, ILoggerFactory loggers, CancellationToken cancellationToken, NetworkState? planned = null)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        var ownership = NetworkState.Empty with { Rules = planned?.Rules ?? [] };
        var (observed, links) = NetworkObserver.Observe(namespaces.OwnHandle, ownership);
        var actions = StateDiffer.Diff(NetworkState.Empty, observed);
        new NetworkApplier(new NetlinkNetworkDriver(namespaces), NetworkSettings.Default, loggers.CreateLogger<NetworkApplier>()).Apply(actions, links);
        var removed = actions.Select(NetworkApplier.Describe).ToList();
        if (backend is not null)
        {
            await backend.CleanupAsync(cancellationToken).ConfigureAwait(false);
            removed.Add($"{backend.Name} rules owned by redirect-router");
        }

        return removed;
    }
}
