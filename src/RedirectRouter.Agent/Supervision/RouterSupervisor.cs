using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Cleanup;
using RedirectRouter.Agent.Health;
using RedirectRouter.Agent.Network;
using RedirectRouter.Agent.Setup;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Agent.Supervision;

/// <summary>
/// The long-running agent (<c>run</c>): sets the router up, then keeps it true. Kernel events (netlink for
/// links, addresses, routes and rules; nf_tables change events for the ruleset) and configuration file
/// changes are turned into work for one serialized loop, which repairs only what drifted. The idle agent
/// waits on sockets and does no periodic listing, except for iptables-legacy, which sends no events.
/// </summary>
public sealed partial class RouterSupervisor : BackgroundService
{
    private static readonly TimeSpan LegacyVerifyInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    // Until setup has planned it: then the plan is what is kept (a reload replaces both).
    private RouterConfig? _initialConfig;
    private readonly int _announceCount;
    private readonly RouterAgentOptions _options;
    private readonly AgentMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<RouterSupervisor> _logger;
    private readonly Channel<WorkKind> _work = Channel.CreateUnbounded<WorkKind>();
    private readonly Dictionary<string, OperationalState> _linkStates = new(StringComparer.Ordinal);
    // Transactions the nf_tables monitor reported, judged in the work loop: by then the apply that caused our own
    // has returned, so the backend knows the tool processes it ran and its socket's port id.
    private readonly System.Collections.Concurrent.ConcurrentQueue<NetfilterTransaction> _transactions = new();
    private readonly Dictionary<WorkKind, int> _failures = [];
    private readonly IdleMemory _memory;
    private WorkKind _failing;
    private ConfigReloader? _reloader;

    /// <summary>Creates the supervisor.</summary>
    public RouterSupervisor(RouterConfig config, RouterAgentOptions options, AgentMetrics metrics, ILoggerFactory loggers)
    {
        _initialConfig = config;
        _announceCount = config.Settings.AnnounceCount;
        _options = options;
        _metrics = metrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<RouterSupervisor>();
        _memory = new IdleMemory(_logger);
    }

    /// <summary>Why the supervisor stopped, when it failed; the command line turns it into the exit code.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>The router as set up (null until setup finished).</summary>
    public SetupOutcome? Outcome { get; private set; }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SuperviseAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // SIGTERM: a normal stop.
        }
        catch (Exception e)
        {
            Failure = e;
            LogFailed(_logger, e.Message);
            throw;
        }
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_options.CleanupOnExit && Outcome is { } outcome)
        {
            // The plan tells which rules are ours on kernels that cannot mark rules (before 4.17).
            var removed = await OwnedCleanup.RemoveOwnedAsync(outcome.Namespaces, outcome.Backend, _loggers, cancellationToken, outcome.Desired.Network).ConfigureAwait(false);
            LogCleanedUp(_logger, removed.Count);
        }

        Outcome?.Dispose();
    }

    private async Task SuperviseAsync(CancellationToken stoppingToken)
    {
        _reloader = new ConfigReloader(_options, _metrics, _logger, _options.ConfigHash);
        var outcome = await new RouterSetup(_loggers).RunAsync(_initialConfig!, _options, stoppingToken).ConfigureAwait(false);
        _initialConfig = null;
        Outcome = outcome;
        _metrics.Announced(outcome.Desired.Network.Addresses.Count);
        _metrics.Synced(outcome.Total);

        try
        {
            RememberLinkStates(outcome);
        }
        catch (Exception e) when (IsBadAnswer(e))
        {
            LogRepairFailed(_logger, "network", e.Message);
        }

        using var monitor = NetlinkMonitor.Open(NetlinkMonitor.RouterGroups, outcome.Namespaces.Own);
        using var netfilterMonitor = outcome.Capabilities.IptablesVariant == Netfilter.IptablesVariant.Legacy && outcome.Backend.Name == "iptables"
            ? null
            : NetfilterChangeMonitor.Open(transaction =>
            {
                _transactions.Enqueue(transaction);
                Request(WorkKind.NetfilterEvents);
            }, outcome.Namespaces.Own, e =>
            {
                // The monitor keeps running; whatever changed meanwhile is caught by a verification.
                _metrics.Failed("netfilter-monitor");
                LogMonitorFailed(_logger, e.Message);
                Request(WorkKind.Netfilter);
            });
        using var configWatcher = _options.ConfigPath is { } configPath ? new ConfigFileWatcher(configPath, () => Request(WorkKind.Reload)) : null;

        // Anything that changed between the end of setup and the watchers starting is caught by one more pass.
        Request(WorkKind.Network | WorkKind.Netfilter | (configWatcher is null ? WorkKind.None : WorkKind.Reload));
        _metrics.SetReady(true);
        LogReady(_logger, outcome.Backend.Name, outcome.Total.TotalMilliseconds);

        var pump = PumpNetlinkEventsAsync(monitor, outcome, stoppingToken);
        var repeats = RepeatAnnouncementsAsync(stoppingToken);
        var legacyPoll = netfilterMonitor is null ? PollLegacyAsync(stoppingToken) : Task.CompletedTask;

        while (await _work.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            // Let a burst of events settle, then do each kind of work once.
            await Task.Delay(_options.Debounce, stoppingToken).ConfigureAwait(false);
            var pending = WorkKind.None;
            while (_work.Reader.TryRead(out var kind))
            {
                pending |= kind;
            }

            try
            {
                await DoWorkAsync(pending, outcome, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && IsBadAnswer(e))
            {
                // Not one of the failures the steps expect: still no reason to stop routing. Everything is
                // verified again, later.
                Failed(WorkKind.Network | WorkKind.Netfilter, "unexpected", e);
            }

            // Setup and the first pass after it, a reload, a verification that dumped every element: what they
            // left is garbage now (after the reload time was taken).
            _memory.ReturnIfWorthIt(pending.ToString());
        }

        await Task.WhenAll(pump, repeats, legacyPoll).ConfigureAwait(false);
    }

    private async Task DoWorkAsync(WorkKind pending, SetupOutcome outcome, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        if ((pending & WorkKind.Reload) != 0)
        {
            await ReloadAsync(outcome, cancellationToken).ConfigureAwait(false);
        }

        if ((pending & WorkKind.Network) != 0)
        {
            await RepairNetworkAsync(outcome, cancellationToken).ConfigureAwait(false);
        }

        if ((pending & WorkKind.NetfilterEvents) != 0 && AnyForeignTransaction(outcome.Backend))
        {
            pending |= WorkKind.Netfilter;
        }

        if ((pending & WorkKind.Netfilter) != 0 && !_options.NetworkOnly)
        {
            await RepairNetfilterAsync(outcome, cancellationToken).ConfigureAwait(false);
        }

        if ((pending & WorkKind.Announce) != 0)
        {
            Announce(outcome);
        }

        _metrics.Synced(watch.Elapsed);
    }

    // Repairs go through the same operation as setup and reloads, one part at a time, so each part's failure is
    // counted and retried on its own.
    private async Task RepairNetworkAsync(SetupOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            var watch = Stopwatch.StartNew();
            var converged = await outcome.Convergence.ConvergeAsync(
                new ConvergeRequest(outcome.Desired) { Force = _options.Force }, step: null, cancellationToken).ConfigureAwait(false);
            foreach (var action in converged.Actions)
            {
                _metrics.Repaired(KindOf(action));
                LogRepaired(_logger, NetworkApplier.Describe(action), watch.Elapsed.TotalMilliseconds);
            }

            if (converged.Actions.Any(a => a is CreateLink or AddAddress))
            {
                // A re-made link or re-added address has to be announced again.
                Announce(outcome);
            }

            Succeeded(WorkKind.Network);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsBadAnswer(e))
        {
            // For example the parent NIC is down or gone, or a dump gave up: keep running, say why, and try again.
            Failed(WorkKind.Network, "network", e);
        }
    }

    private async Task RepairNetfilterAsync(SetupOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            var request = new ConvergeRequest(outcome.Desired) { Network = false, Netfilter = outcome.Backend, NetfilterOnlyIfDrifted = true };
            var converged = await outcome.Convergence.ConvergeAsync(request, step: null, cancellationToken).ConfigureAwait(false);
            if (converged.Netfilter is not null)
            {
                _metrics.Repaired("netfilter");
            }

            // Ready again only once the desired state has been read back.
            Succeeded(WorkKind.Netfilter);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsBadAnswer(e))
        {
            // A tool that hung or vanished, or a listing that could not be read: the state is unknown, so the
            // network is verified as well.
            Failed(WorkKind.Netfilter, "netfilter", e, also: WorkKind.Network);
        }
    }

    // Drains the reported transactions; true when any was not committed by our backend (or events were lost).
    // All are looked at, so a foreign transaction is never hidden behind one of ours.
    private bool AnyForeignTransaction(INetfilterBackend backend)
    {
        var foreign = false;
        while (_transactions.TryDequeue(out var transaction))
        {
            if (transaction.EventsLost || !backend.IsOwnTransaction(transaction.PortId, transaction.ProcessId))
            {
                foreign = true;
                LogForeignTransaction(_logger, transaction.PortId, transaction.ProcessId, transaction.Generation);
            }
        }

        return foreign;
    }

    private async Task ReloadAsync(SetupOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            switch (await _reloader!.ReloadAsync(outcome, cancellationToken).ConfigureAwait(false))
            {
                case ReloadResult.Unchanged:
                    Succeeded(WorkKind.Reload);
                    break;
                case ReloadResult.Applied:
                    Succeeded(WorkKind.Reload);
                    Announce(outcome);
                    break;
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsBadAnswer(e))
        {
            // outcome.Desired still holds the last good state: bring the kernel back to it now, and try the
            // new file again later (a tool that timed out may answer then).
            Request(WorkKind.Network | WorkKind.Netfilter);
            Failed(WorkKind.Reload, "reload", e);
        }
    }

    private void Announce(SetupOutcome outcome)
    {
        try
        {
            _metrics.Announced(Announcements.SendAll(outcome.Namespaces, outcome.Desired.Network));
        }
        catch (Exception e) when (e is KernelException or SetupException or System.Net.Sockets.SocketException)
        {
            LogAnnounceFailed(_logger, e.Message);
        }
    }

    private async Task PumpNetlinkEventsAsync(NetlinkMonitor monitor, SetupOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var evt in monitor.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (evt is LinkEvent { Deleted: false } link && outcome.Desired.Network.Links.Any(l => l.Name == link.Link.Name))
                {
                    // Carrier back after a flap: the switch may have forgotten us.
                    var was = _linkStates.GetValueOrDefault(link.Link.Name, OperationalState.Unknown);
                    _linkStates[link.Link.Name] = link.Link.OperationalState;
                    if (link.Link.OperationalState == OperationalState.Up && was != OperationalState.Up)
                    {
                        Request(WorkKind.Announce);
                    }
                }

                Request(WorkKind.Network);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (IsBadAnswer(e))
        {
            // The monitor's socket failed: keep serving (repairs after netfilter events and reloads still run).
            _metrics.Failed("network-monitor");
            LogMonitorFailed(_logger, e.Message);
        }
    }

    private async Task RepeatAnnouncementsAsync(CancellationToken cancellationToken)
    {
        try
        {
            for (var i = 1; i < Math.Max(1, _announceCount); i++)
            {
                await Task.Delay(_options.AnnounceInterval, cancellationToken).ConfigureAwait(false);
                Request(WorkKind.Announce);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PollLegacyAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(LegacyVerifyInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Request(WorkKind.Netfilter);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void RememberLinkStates(SetupOutcome outcome)
    {
        foreach (var link in outcome.Desired.Network.Links)
        {
            _linkStates[link.Name] = outcome.Namespaces.OwnHandle.LinkGetByName(link.Name)?.OperationalState ?? OperationalState.Unknown;
        }
    }

    private void Request(WorkKind kind) => _work.Writer.TryWrite(kind);

    private void RequestLater(WorkKind kind, TimeSpan delay) => _ = Task.Delay(delay).ContinueWith(_ => Request(kind), TaskScheduler.Default);

    // Ready when every kind of work last succeeded; each success clears its own failure.
    private void Succeeded(WorkKind kind)
    {
        _failing &= ~kind;
        _failures.Remove(kind);
        _metrics.SetReady(_failing == WorkKind.None);
    }

    // Not ready until the same work succeeds again; retried after 1, 2, 4 ... 30 s.
    private void Failed(WorkKind kind, string what, Exception e, WorkKind also = WorkKind.None)
    {
        var attempt = _failures.GetValueOrDefault(kind);
        _failures[kind] = attempt + 1;
        var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, RetryDelay.Ticks << Math.Min(attempt, 5)));
        // The reason is logged before readiness drops, so whoever sees /readyz turn 503 finds why in the log.
        LogRepairFailed(_logger, what, $"{e.Message} (retrying in {delay.TotalSeconds:0} s)");
        _failing |= kind;
        _metrics.SetReady(false);
        _metrics.Failed(what);
        RequestLater(kind | also, delay);
    }

    // What a repair may meet from the kernel or a tool: a failure to log, count and retry, never a reason
    // to exit (with --cleanup-on-exit an exit would tear the router down).
    private static bool IsBadAnswer(Exception e) => e is not (OutOfMemoryException or OperationCanceledException);

    private static string KindOf(ReconcileAction action) => action switch
    {
        CreateLink or DeleteLink or SetLinkMtu or SetLinkUp => "link",
        AddAddress or DeleteAddress => "address",
        AddRoute or ReplaceRoute or DeleteRoute => "route",
        AddRule or DeleteRule => "rule",
        _ => "other",
    };

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "ready: router set up with {Backend} in {Milliseconds:0.0} ms")]
    private static partial void LogReady(ILogger logger, string backend, double milliseconds);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "repaired: {Action} ({Milliseconds:0.0} ms after the change was noticed)")]
    private static partial void LogRepaired(ILogger logger, string action, double milliseconds);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "{What} failed, not ready until it succeeds: {Reason}")]
    private static partial void LogRepairFailed(ILogger logger, string what, string reason);

    [LoggerMessage(EventId = 408, Level = LogLevel.Warning, Message = "announcement failed: {Reason}")]
    private static partial void LogAnnounceFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 409, Level = LogLevel.Critical, Message = "the agent stopped: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 412, Level = LogLevel.Debug, Message = "nf_tables transaction by another party (port {PortId}, process {ProcessId}, generation {Generation}): verifying")]
    private static partial void LogForeignTransaction(ILogger logger, uint portId, uint? processId, uint? generation);

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "cleaned up {Count} objects on exit")]
    private static partial void LogCleanedUp(ILogger logger, int count);

    [LoggerMessage(EventId = 411, Level = LogLevel.Error, Message = "a kernel event monitor failed: {Reason}")]
    private static partial void LogMonitorFailed(ILogger logger, string reason);
}
