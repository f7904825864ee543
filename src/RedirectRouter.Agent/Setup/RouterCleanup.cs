using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;

namespace RedirectRouter.Agent.Setup;

/// <summary>Removes what the agent owns in the router's namespace: its rules, routes, macvlans (with their addresses) and netfilter tables or chains.</summary>
public static class RouterCleanup
{
    /// <summary>Removes everything owned; returns what was removed, in words. Idempotent.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(RouterNamespaces namespaces, INetfilterBackend? backend, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (observed, links) = NetworkObserver.Observe(namespaces.OwnHandle, NetworkState.Empty);
        var actions = StateDiffer.Diff(NetworkState.Empty, observed);
        new NetworkApplier(namespaces, NetworkSettings.Default, loggers.CreateLogger<NetworkApplier>()).Apply(actions, links);
        var removed = actions.Select(NetworkApplier.Describe).ToList();
        if (backend is not null)
        {
            await backend.CleanupAsync(cancellationToken).ConfigureAwait(false);
            removed.Add($"{backend.Name} rules owned by redirect-router");
        }

        return removed;
    }
}
