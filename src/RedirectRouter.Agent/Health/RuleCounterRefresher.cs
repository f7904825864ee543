using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedirectRouter.Netfilter;

namespace RedirectRouter.Agent.Health;

/// <summary>
/// Keeps the rule counters on /metrics fresh without a scrape ever starting a process: once when the router is
/// set up, then, while /metrics is being scraped, in the background at most once per <see cref="Interval"/> (one
/// nft or iptables-save run); scrapes serve the last read. With nobody scraping, nothing more is read.
/// </summary>
public sealed partial class RuleCounterRefresher : BackgroundService
{
    private readonly AgentMetrics _metrics;
    private readonly Func<CancellationToken, Task<IReadOnlyList<RuleCounter>?>> _read;
    private readonly ILogger<RuleCounterRefresher> _logger;

    /// <summary>Creates the refresher; <paramref name="read"/> returns null while there is nothing to read yet (setup not done).</summary>
    public RuleCounterRefresher(AgentMetrics metrics, Func<CancellationToken, Task<IReadOnlyList<RuleCounter>?>> read, ILogger<RuleCounterRefresher> logger, TimeSpan? interval = null)
    {
        _metrics = metrics;
        _read = read;
        _logger = logger;
        Interval = interval ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>The shortest time between two reads.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Reads done so far.</summary>
    public int Reads { get; private set; }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Poll the scrape mark cheaply; a read happens only after a scrape, and then not again within Interval.
        var tick = TimeSpan.FromMilliseconds(Math.Min(1000, Interval.TotalMilliseconds));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(tick, stoppingToken).ConfigureAwait(false);
                // The first read as soon as there is something to read; then only when someone scrapes.
                if (!_metrics.TakeScraped() && Reads > 0)
                {
                    continue;
                }

                try
                {
                    if (await _read(stoppingToken).ConfigureAwait(false) is not { } counters)
                    {
                        continue; // not set up yet
                    }

                    Reads++;
                    _metrics.SetRuleCounters(counters);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A hung or missing tool, an unreadable listing: the old counters stay, the next scrape tries again.
                    _metrics.Failed("counters");
                    LogReadFailed(_logger, e.Message);
                }

                await Task.Delay(Interval - tick, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "reading the rule counters failed: {Reason}")]
    private static partial void LogReadFailed(ILogger logger, string reason);
}
