using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Health;
using RedirectRouter.Agent.Inputs;
using RedirectRouter.Agent.Setup;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Agent.Supervision;

/// <summary>How a reload ended.</summary>
public enum ReloadResult
{
    /// <summary>The file could not be read yet (mid-swap), or is not one the agent reads: nothing changed.</summary>
    Unread,

    /// <summary>The file holds what already runs.</summary>
    Unchanged,

    /// <summary>The file is not a valid configuration: the running one keeps serving.</summary>
    Rejected,

    /// <summary>The new configuration runs.</summary>
    Applied,
}

/// <summary>
/// A configuration reload: reads the file once (bounded), skips it when its content is what already runs, parses
/// and plans it, and converges to it through the same operation as the first setup and every repair
/// (<see cref="RouterConvergence"/>: safety checks and forwarding for every family included).
/// </summary>
public sealed partial class ConfigReloader
{
    private readonly RouterAgentOptions _options;
    private readonly AgentMetrics _metrics;
    private readonly ILogger _logger;
    private string? _hash;

    /// <summary>Creates the reloader; <paramref name="runningHash"/> is the fingerprint of the text the running configuration was parsed from.</summary>
    public ConfigReloader(RouterAgentOptions options, AgentMetrics metrics, ILogger logger, string? runningHash)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _metrics = metrics;
        _logger = logger;
        // The content the command line parsed, not a second read: a file changed since then is a reload.
        _hash = runningHash;
    }

    /// <summary>
    /// Reloads <see cref="RouterAgentOptions.ConfigPath"/> into <paramref name="outcome"/> (its desired state is
    /// replaced only once the new one is applied).
    /// </summary>
    /// <exception cref="Exception">Converging failed; the kernel may hold part of the new state (the caller brings it back).</exception>
    public async Task<ReloadResult> ReloadAsync(SetupOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var path = _options.ConfigPath ?? throw new InvalidOperationException("no configuration file to reload");
        string text;
        try
        {
            // Read once, bounded (a FIFO or a device cannot block or exhaust the agent); these bytes are
            // both hashed and parsed.
            text = BoundedFile.ReadText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Mid-swap the file can be missing for a moment; the next event brings it back.
            LogReloadUnreadable(_logger, path, e.Message);
            return ReloadResult.Unread;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not a file the agent will read (a FIFO, a device, too large): the running state keeps serving.
            _metrics.ReloadRejected();
            LogReloadRejected(_logger, e.Message);
            return ReloadResult.Unread;
        }

        var hash = ConfigFingerprint.Of(text);
        if (hash == _hash)
        {
            return ReloadResult.Unchanged;
        }

        var result = ConfigLoader.LoadFile(text, path);
        if (result.Config is null)
        {
            _hash = hash;
            _metrics.Reloaded(success: false);
            foreach (var diagnostic in result.Diagnostics)
            {
                LogReloadRejected(_logger, diagnostic.ToString());
            }

            return ReloadResult.Rejected;
        }

        var watch = Stopwatch.StartNew();
        var desired = Planner.Plan(_options.Effective(result.Config));
        try
        {
            var request = new ConvergeRequest(desired) { Force = _options.Force, Netfilter = _options.NetworkOnly ? null : outcome.Backend };
            var converged = await outcome.Convergence.ConvergeAsync(request, step: null, cancellationToken).ConfigureAwait(false);
            LogReloadApplied(_logger, converged.Netfilter is null ? "no" : converged.Netfilter.Incremental ? "incremental" : "full", watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not (OutOfMemoryException or OperationCanceledException))
        {
            _metrics.Reloaded(success: false);
            LogReloadFailed(_logger, e.Message);
            throw;
        }

        outcome.Desired = desired;
        _hash = hash;
        _metrics.Reloaded(success: true);
        return ReloadResult.Applied;
    }

    [LoggerMessage(EventId = 404, Level = LogLevel.Error, Message = "configuration rejected, the previous one keeps serving: {Diagnostic}")]
    private static partial void LogReloadRejected(ILogger logger, string diagnostic);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "configuration reloaded ({Kind} netfilter update) in {Milliseconds:0.0} ms")]
    private static partial void LogReloadApplied(ILogger logger, string kind, double milliseconds);

    [LoggerMessage(EventId = 406, Level = LogLevel.Error, Message = "configuration reload failed, returning to the previous one: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 407, Level = LogLevel.Debug, Message = "configuration {Path} not readable yet: {Reason}")]
    private static partial void LogReloadUnreadable(ILogger logger, string path, string reason);
}
