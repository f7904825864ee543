using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;
using RedirectRouter.Netlink;

namespace RedirectRouter.Agent.Setup;

/// <summary>What a pass of <see cref="RouterConvergence"/> is to bring to the desired state.</summary>
/// <param name="Desired">The state to converge to.</param>
public sealed record ConvergeRequest(DesiredState Desired)
{
    /// <summary>Whether the namespace safety check is skipped (<c>--force</c>).</summary>
    public bool Force { get; init; }

    /// <summary>Whether the network part (safety checks, forwarding, links, addresses, routes, rules) is converged.</summary>
    public bool Network { get; init; } = true;

    /// <summary>The backend whose ruleset is converged; null when netfilter is not part of this pass.</summary>
    public INetfilterBackend? Netfilter { get; init; }

    /// <summary>
    /// A repair: the ruleset is verified first and applied only when it drifted, and a foreign rule that shadows
    /// ours is reported by the verification but not a failure (it is not ours to fix).
    /// </summary>
    public bool NetfilterOnlyIfDrifted { get; init; }
}

/// <summary>What a pass did.</summary>
/// <param name="Actions">The network changes made (empty when the network held the desired state or was not part of the pass).</param>
/// <param name="Netfilter">The ruleset's apply, when one ran.</param>
/// <param name="Drift">For a repair, the drift the verification found (null when none, or not a repair).</param>
public sealed record ConvergeResult(IReadOnlyList<ReconcileAction> Actions, ApplyResult? Netfilter, DriftReport? Drift);

/// <summary>
/// The one operation that brings the router's namespace to a desired state, shared by the first setup, every
/// reload and every repair: refuse the node's own namespace, turn forwarding on for each family in use, converge
/// links, addresses, routes and rules (with the ruleset applied alongside), and check that the ruleset reads back
/// as applied. The network work runs on one thread of its own. Announcing is the caller's (setup announces before
/// it reports ready; a reload announces what it changed).
/// </summary>
public sealed partial class RouterConvergence : IDisposable
{
    private readonly RouterNamespaces _namespaces;
    private readonly NetworkReconciler _reconciler;
    private readonly ILogger _logger;
    private readonly NetworkThread _networkThread = new();

    /// <summary>Creates the operation for a router's namespaces and its reconciler.</summary>
    public RouterConvergence(RouterNamespaces namespaces, NetworkReconciler reconciler, ILogger logger)
    {
        _namespaces = namespaces;
        _reconciler = reconciler;
        _logger = logger;
    }

    /// <summary>The network reconciler (it remembers the addresses it claimed).</summary>
    public NetworkReconciler Reconciler => _reconciler;

    /// <summary>
    /// Converges to <paramref name="request"/>'s desired state. <paramref name="step"/> hears each step's name and
    /// duration.
    /// </summary>
    /// <exception cref="SetupException">A step failed; it is named.</exception>
    public async Task<ConvergeResult> ConvergeAsync(ConvergeRequest request, Action<string, TimeSpan>? step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        step ??= static (_, _) => { };
        var desired = request.Desired;
        var watch = Stopwatch.StartNew();
        if (request.Network)
        {
            RouterSetup.RefuseNodeNamespace(_namespaces, desired.Network, request.Force);
            EnableForwarding(desired);
            step("safety checks and forwarding", watch.Elapsed);
            watch.Restart();
        }

        // The ruleset matches interface names and addresses, not live objects, so it is applied (by nft or
        // iptables-restore, another process) while the network steps run, most of which is the wait of the
        // duplicate-address probe. The egress IP is still claimed only after that probe; if the probe refuses
        // it, the rules stay behind without an address to send from, and the next run converges them.
        var network = request.Network
            ? _networkThread.RunAsync(() => _reconciler.Reconcile(desired.Network))
            : Task.FromResult<IReadOnlyList<ReconcileAction>>([]);
        var netfilter = request.Netfilter is { } backend ? TimedAsync(backend, desired.Nat, request.NetfilterOnlyIfDrifted, cancellationToken) : null;
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

        if (request.Network)
        {
            step("links, addresses, routes and rules", watch.Elapsed);
        }

        if (netfilter is null)
        {
            return new ConvergeResult(actions, null, null);
        }

        var (applied, drift, took) = await netfilter.ConfigureAwait(false);
        if (applied is not null)
        {
            var readBack = applied.Drift;
            if (request.NetfilterOnlyIfDrifted ? readBack.Missing.Count > 0 || readBack.Extra.Count > 0 : !readBack.IsClean)
            {
                throw new SetupException("netfilter", $"the {request.Netfilter!.Name} ruleset does not read back as applied: {readBack}");
            }

            // Its own duration: it ran alongside the network steps.
            step("netfilter (alongside the network steps)", took);
        }

        return new ConvergeResult(actions, applied, drift);
    }

    /// <summary>Stops the network thread.</summary>
    public void Dispose() => _networkThread.Dispose();

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

    // A repair applies only when the verification found drift, and applies from the state that verification read
    // (our rules are read once per family); the apply reads the ruleset back itself.
    private async Task<(ApplyResult? Result, DriftReport? Drift, TimeSpan Took)> TimedAsync(
        INetfilterBackend backend, NatModel nat, bool onlyIfDrifted, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            DriftReport? drift = null;
            if (onlyIfDrifted)
            {
                drift = await backend.VerifyAsync(nat, cancellationToken).ConfigureAwait(false);
                if (drift.IsClean)
                {
                    return (null, null, clock.Elapsed);
                }

                LogNetfilterDrift(_logger, drift.ToString());
            }

            var result = await backend.ApplyAsync(nat, drift, cancellationToken).ConfigureAwait(false);
            return (result, drift, clock.Elapsed);
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

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "netfilter drift, reapplying: {Drift}")]
    private static partial void LogNetfilterDrift(ILogger logger, string drift);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "the ruleset, applied alongside the failed network steps, did not apply either: {Reason}")]
    private static partial void LogNetfilterAfterFailure(ILogger logger, string reason);
}
