using Microsoft.Extensions.Logging;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Agent.Network;

/// <summary>Observe, diff, apply, and observe again: one pass that makes the network part of the router true.</summary>
public sealed class NetworkReconciler
{
    private readonly RouterNamespaces _namespaces;
    private readonly NetworkApplier _applier;

    /// <summary>Creates the reconciler.</summary>
    public NetworkReconciler(RouterNamespaces namespaces, NetworkSettings settings, ILoggerFactory loggers)
    {
        _namespaces = namespaces;
        _applier = new NetworkApplier(namespaces, settings, loggers.CreateLogger<NetworkApplier>());
    }

    /// <summary>
    /// Makes the router's namespace match <paramref name="desired"/> and returns what was done (empty when it
    /// already did). Throws <see cref="SetupException"/> when a step fails or the result still differs.
    /// </summary>
    public IReadOnlyList<ReconcileAction> Reconcile(NetworkState desired)
    {
        var normalized = NetworkObserver.Normalize(desired);
        var (observed, links) = NetworkObserver.Observe(_namespaces.OwnHandle, normalized);
        var actions = StateDiffer.Diff(normalized, observed);
        if (actions.Count == 0)
        {
            return actions;
        }

        _applier.Apply(actions, links);
        var (after, _) = NetworkObserver.Observe(_namespaces.OwnHandle, normalized);
        var left = StateDiffer.Diff(normalized, after);
        if (left.Count > 0)
        {
            throw new SetupException(NetworkApplier.StepOf(left[0]), $"the kernel does not hold what was applied; still to do: {string.Join("; ", left.Select(NetworkApplier.Describe))}");
        }

        return actions;
    }
}
