using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace RedirectRouter.Agent.Supervision;

/// <summary>
/// Gives the memory that setup, reloads and verifications leave behind back to the system. Their garbage is
/// proportional to the configuration (the parsed file, a dump of every element), and the collector would keep
/// that much memory committed for reuse while the agent idles. So once a piece of work has allocated more than
/// <see cref="Threshold"/>, the heap is compacted and what is free is returned: the idle agent holds what it keeps.
/// </summary>
internal sealed partial class IdleMemory
{
    /// <summary>Allocations (bytes, since the last return) below which a return is not worth a full collection.</summary>
    public const long Threshold = 1 << 20;

    private const double MiB = 1 << 20;
    private readonly ILogger _logger;
    private long _allocatedAtLastReturn;

    public IdleMemory(ILogger logger) => _logger = logger;

    /// <summary>Returns memory when the work just done (<paramref name="after"/>) allocated more than <see cref="Threshold"/>.</summary>
    public void ReturnIfWorthIt(string after)
    {
        if (GC.GetTotalAllocatedBytes(precise: false) - _allocatedAtLastReturn >= Threshold)
        {
            Return(after);
        }
    }

    /// <summary>Compacts the heap and returns its free memory (a few ms at 10,000 mappings).</summary>
    public void Return(string after)
    {
        var watch = Stopwatch.StartNew();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _allocatedAtLastReturn = GC.GetTotalAllocatedBytes(precise: false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            LogReturned(_logger, after, info.HeapSizeBytes / MiB, info.TotalCommittedBytes / MiB, info.FragmentedBytes / MiB,
                Environment.WorkingSet / MiB, watch.Elapsed.TotalMilliseconds);
        }
    }

    [LoggerMessage(EventId = 413, Level = LogLevel.Debug,
        Message = "memory returned after {After}: managed heap {Heap:0.0} MiB ({Committed:0.0} MiB committed, {Fragmented:0.0} MiB free in it), process {Resident:0.0} MiB resident; took {Milliseconds:0.0} ms")]
    private static partial void LogReturned(ILogger logger, string after, double heap, double committed, double fragmented, double resident, double milliseconds);
}
