using Microsoft.Extensions.Logging;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Agent.Network;

/// <summary>Observe, diff, apply, and observe again: one pass that makes the network part of the router true.</summary>
public sealed class NetworkReconciler
{
    private readonly INetworkDriver _driver;
    private readonly NetworkApplier _applier;

    /// <summary>Creates the reconciler for the router's namespaces.</summary>
    public NetworkReconciler(RouterNamespaces namespaces, NetworkSettings settings, ILoggerFactory loggers)
        : this(new NetlinkNetworkDriver(namespaces), settings, loggers)
    {
    }

    /// <summary>Creates the reconciler over <paramref name="driver"/>'s verbs.</summary>
    public NetworkReconciler(INetworkDriver driver, NetworkSettings settings, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _driver = driver;
        _applier = new NetworkApplier(driver, settings, loggers.CreateLogger<NetworkApplier>());
    }

    /// <summary>
    /// Makes the router's namespace match <paramref name="desired"/> and returns what was done (empty when it
    /// already did). Throws <see cref="SetupException"/> when a step fails or the result still differs.
    /// </summary>
    public IReadOnlyList<ReconcileAction> Reconcile(NetworkState desired)
    {
        var normalized = NetworkObserver.Normalize(desired);
        var (observed, links) = NetworkObserver.Observe(_driver, normalized);
        var actions = StateDiffer.Diff(normalized, observed);
        if (actions.Count == 0)
        {
            return actions;
        }

        _applier.Apply(actions, links);
        var (after, _) = NetworkObserver.Observe(_driver, normalized);
        var left = StateDiffer.Diff(normalized, after);
        if (left.Count > 0)
        {
            throw new SetupException(NetworkApplier.StepOf(left[0]), $"the kernel does not hold what was applied; still to do: {string.Join("; ", left.Select(NetworkApplier.Describe))}");
        }

        return actions;
    }
}
