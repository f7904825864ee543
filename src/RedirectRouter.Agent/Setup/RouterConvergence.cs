using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;
using RedirectRouter.Netlink;

namespace RedirectRouter.Agent.Setup;

/// <summary>
/// The one step that brings the router's namespace to a desired state, shared by the first setup and every
/// reload: refuse the node's own namespace, turn forwarding on for each family in use, converge links,
/// addresses, routes and rules (with the ruleset applied alongside), and check that the ruleset reads back as
/// applied. Announcing is the caller's (setup announces before it reports ready; a reload announces what it
/// changed).
/// </summary>
public sealed partial class RouterConvergence
{
    private readonly RouterNamespaces _namespaces;
    private readonly NetworkReconciler _reconciler;
    private readonly ILogger _logger;

    /// <summary>Creates the step for a router's namespaces and its reconciler.</summary>
    public RouterConvergence(RouterNamespaces namespaces, NetworkReconciler reconciler, ILogger logger)
    {
        _namespaces = namespaces;
        _reconciler = reconciler;
        _logger = logger;
    }

    /// <summary>
    /// Converges to <paramref name="desired"/>; <paramref name="applyNetfilter"/> is null when only the network is
    /// managed. <paramref name="step"/> hears each step's name and duration.
    /// </summary>
    /// <exception cref="SetupException">A step failed; it is named.</exception>
    public async Task<IReadOnlyList<ReconcileAction>> ConvergeAsync(
        DesiredState desired,
        bool force,
        Func<NatModel, CancellationToken, Task<ApplyResult>>? applyNetfilter,
        Action<string, TimeSpan> step,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(step);
        var watch = Stopwatch.StartNew();
        RouterSetup.RefuseNodeNamespace(_namespaces, desired.Network, force);
        EnableForwarding(desired);
        step("safety checks and forwarding", watch.Elapsed);
        watch.Restart();

        // The ruleset matches interface names and addresses, not live objects, so it is applied (by nft or
        // iptables-restore, another process) while the network steps run, most of which is the wait of the
        // duplicate-address probe. The egress IP is still claimed only after that probe; if the probe refuses
        // it, the rules stay behind without an address to send from, and the next run converges them.
        //
        // The network steps block (netlink round trips, the probe's wait), so they get a thread of their own:
        // with one CPU allowed, the thread pool has one thread, and blocking it would hold the ruleset back.
        var network = Task.Factory.StartNew(() => _reconciler.Reconcile(desired.Network), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var netfilter = applyNetfilter is null ? null : TimedAsync(applyNetfilter, desired.Nat, cancellationToken);
        IReadOnlyList<ReconcileAction> actions;
        try
        {
            actions = await network.ConfigureAwait(false);
        }
        catch
        {
            if (netfilter is not null)
            {
                await ObserveAsync(netfilter).ConfigureAwait(false);
            }

            throw;
        }

        step("links, addresses, routes and rules", watch.Elapsed);
        if (netfilter is not null)
        {
            var (applied, took) = await netfilter.ConfigureAwait(false);
            if (!applied.Drift.IsClean)
            {
                throw new SetupException("netfilter", $"the ruleset does not read back as applied: {applied.Drift}");
            }

            // Its own duration: it ran alongside the network steps.
            step("netfilter (alongside the network steps)", took);
        }

        return actions;
    }

    // Forwarding for every family the desired state uses (a reload that adds IPv6 needs IPv6 forwarding).
    private static void EnableForwarding(DesiredState desired)
    {
        try
        {
            ForwardingSysctls.Enable(desired.Network.Addresses.Select(a => a.Address.Family));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SetupException("forwarding", $"cannot turn IP forwarding on: {e.Message}", e);
        }
    }

    private static async Task<(ApplyResult Result, TimeSpan Took)> TimedAsync(
        Func<NatModel, CancellationToken, Task<ApplyResult>> apply, NatModel nat, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await apply(nat, cancellationToken).ConfigureAwait(false);
            return (result, clock.Elapsed);
        }
        catch (NetfilterException e)
        {
            throw new SetupException("netfilter", e.Message, e);
        }
    }

    // The network step's failure is the one reported; the ruleset's outcome must still be awaited (the
    // process may exit next) and is logged.
    private async Task ObserveAsync(Task netfilter)
    {
        try
        {
            await netfilter.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogNetfilterAfterFailure(_logger, e.Message);
        }
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "the ruleset, applied alongside the failed network steps, did not apply either: {Reason}")]
    private static partial void LogNetfilterAfterFailure(ILogger logger, string reason);
}
