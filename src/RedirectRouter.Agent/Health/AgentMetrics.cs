using System.Reflection;
using Prometheus;
using RedirectRouter.Netfilter;

namespace RedirectRouter.Agent.Health;

/// <summary>
/// The agent's health and its Prometheus metrics, in one registry of its own (not the library's global
/// one, so tests and several agents in one process do not mix). Thread-safe.
/// </summary>
public sealed class AgentMetrics
{
    private readonly Gauge _ready;
    private readonly Counter _repairs;
    private readonly Gauge _lastSync;
    private readonly Gauge _lastSyncDuration;
    private readonly Counter _reloads;
    private readonly Counter _announcements;
    private readonly Gauge _rulePackets;
    private readonly Gauge _ruleBytes;
    private readonly Gauge _droppedPackets;
    private readonly Gauge _droppedBytes;
    private readonly Gauge _countersRead;
    private readonly Counter _failures;
    private volatile bool _isReady;
    private int _scraped;

    /// <summary>Creates the registry and every metric.</summary>
    public AgentMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        var version = typeof(AgentMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        factory.CreateGauge("redirect_router_build_info", "Build information; always 1.", "version").WithLabels(version).Set(1);
        _ready = factory.CreateGauge("redirect_router_ready", "1 once the router is set up and in sync, else 0.");
        _repairs = factory.CreateCounter("redirect_router_repairs_total", "Drift repaired, by kind of object.", "kind");
        _lastSync = factory.CreateGauge("redirect_router_last_sync_timestamp_seconds", "When the last reconcile finished (Unix time).");
        _lastSyncDuration = factory.CreateGauge("redirect_router_last_sync_duration_seconds", "How long the last reconcile took.");
        _reloads = factory.CreateCounter("redirect_router_config_reloads_total", "Configuration reloads, by result.", "result");
        _announcements = factory.CreateCounter("redirect_router_announcements_total", "Gratuitous ARPs and unsolicited neighbour advertisements sent.");
        _rulePackets = factory.CreateGauge("redirect_router_rule_packets", "Packets matched by each of our netfilter rules (the kernel's counter).", "location", "rule");
        _ruleBytes = factory.CreateGauge("redirect_router_rule_bytes", "Bytes matched by each of our netfilter rules (the kernel's counter).", "location", "rule");
        _droppedPackets = factory.CreateGauge("redirect_router_filter_dropped_packets",
            "Packets our filters dropped, by where they came from (egress: a home's side; cluster: the cluster interface), family and hook (forward: through the router; input: to the router).",
            "direction", "family", "hook");
        _droppedBytes = factory.CreateGauge("redirect_router_filter_dropped_bytes",
            "Bytes our filters dropped, by direction, family and hook (as redirect_router_filter_dropped_packets).",
            "direction", "family", "hook");
        _countersRead = factory.CreateGauge("redirect_router_rule_counters_timestamp_seconds", "When the rule counters were last read from the kernel (Unix time; a scrape never reads them itself).");
        _failures = factory.CreateCounter("redirect_router_sync_failures_total",
            "Repairs, reloads and monitors that failed (a tool that hung or vanished, an answer that could not be read), by kind; each is retried.", "kind");
    }

    /// <summary>The registry served on /metrics.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>True once set up and in sync.</summary>
    public bool IsReady => _isReady;

    /// <summary>Repairs made so far, by kind (for logs and tests).</summary>
    public double RepairCount(string kind) => _repairs.WithLabels(kind).Value;

    /// <summary>Marks the router ready (or not).</summary>
    public void SetReady(bool ready)
    {
        _isReady = ready;
        _ready.Set(ready ? 1 : 0);
    }

    /// <summary>Counts one repair of <paramref name="kind"/> (link, address, route, rule, netfilter).</summary>
    public void Repaired(string kind) => _repairs.WithLabels(kind).Inc();

    /// <summary>Records a finished reconcile.</summary>
    public void Synced(TimeSpan duration)
    {
        _lastSync.SetToCurrentTimeUtc();
        _lastSyncDuration.Set(duration.TotalSeconds);
    }

    /// <summary>Counts a configuration reload.</summary>
    public void Reloaded(bool success) => _reloads.WithLabels(success ? "success" : "failure").Inc();

    /// <summary>Counts a configuration file that was not read at all (not a regular file, too large).</summary>
    public void ReloadRejected() => _reloads.WithLabels("rejected").Inc();

    /// <summary>Reloads so far with <paramref name="result"/> (success, failure, rejected).</summary>
    public double ReloadCount(string result) => _reloads.WithLabels(result).Value;

    /// <summary>Counts a failed repair, reload or monitor of <paramref name="kind"/>.</summary>
    public void Failed(string kind) => _failures.WithLabels(kind).Inc();

    /// <summary>Failures so far of <paramref name="kind"/>.</summary>
    public double FailureCount(string kind) => _failures.WithLabels(kind).Value;

    /// <summary>Notes a scrape of /metrics, so the counters are read again (in the background, not by the scrape).</summary>
    public void Scraped() => Interlocked.Exchange(ref _scraped, 1);

    /// <summary>Whether /metrics was scraped since the last call (and clears the mark).</summary>
    public bool TakeScraped() => Interlocked.Exchange(ref _scraped, 0) == 1;

    /// <summary>Counts announcements sent.</summary>
    public void Announced(int count) => _announcements.Inc(count);

    /// <summary>Publishes the kernel's per-rule counters, and the filters' drops summed by direction, family and hook.</summary>
    public void SetRuleCounters(IEnumerable<RuleCounter> counters)
    {
        _countersRead.SetToCurrentTimeUtc();
        var all = counters.ToList();
        foreach (var counter in all)
        {
            _rulePackets.WithLabels(counter.Location, counter.Rule).Set(counter.Packets);
            _ruleBytes.WithLabels(counter.Location, counter.Rule).Set(counter.Bytes);
        }
        foreach (var drop in FilterDrops.Of(all))
        {
            _droppedPackets.WithLabels(drop.Direction, drop.Family, drop.Hook).Set(drop.Packets);
            _droppedBytes.WithLabels(drop.Direction, drop.Family, drop.Hook).Set(drop.Bytes);
        }
    }

    /// <summary>The dropped packets last published for one direction, family and hook (for tests).</summary>
    public double DroppedPackets(string direction, string family, string hook) => _droppedPackets.WithLabels(direction, family, hook).Value;
}
