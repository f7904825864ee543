using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace RedirectRouter.Agent.Health;

/// <summary>
/// The HTTP endpoint (off unless <c>--metrics</c> is given): <c>/healthz</c> (the process is alive),
/// <c>/readyz</c> (set up and in sync), and <c>/metrics</c> in the Prometheus text format.
/// </summary>
public sealed partial class HealthServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly AgentMetrics _metrics;
    private readonly Func<CancellationToken, Task>? _beforeScrape;
    private readonly ILogger<HealthServer> _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Creates the server for <paramref name="address"/> (<c>host:port</c>; <c>0.0.0.0</c> or <c>*</c> for every address).</summary>
    public HealthServer(string address, AgentMetrics metrics, Func<CancellationToken, Task>? beforeScrape, ILogger<HealthServer> logger)
    {
        _metrics = metrics;
        _beforeScrape = beforeScrape;
        _logger = logger;
        _listener.Prefixes.Add(Prefix(address));
    }

    /// <summary>The listener's URL prefix for a <c>host:port</c> address.</summary>
    public static string Prefix(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address[(colon + 1)..], out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"--metrics '{address}' is not HOST:PORT (for example 127.0.0.1:9100 or 0.0.0.0:9100)", nameof(address));
        }

        var host = address[..colon].Trim('[', ']');
        host = host is "0.0.0.0" or "*" or "::" or "" ? "*" : host.Contains(':') ? $"[{host}]" : host;
        return $"http://{host}:{port}/";
    }

    /// <summary>Starts listening.</summary>
    public void Start()
    {
        _listener.Start();
        _loop = Task.Run(() => ServeAsync(_stop.Token));
    }

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_listener.IsListening)
        {
            _listener.Stop();
        }

        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _listener.Close();
        _stop.Dispose();
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException e)
            {
                LogListenerFailed(_logger, e.Message);
                return;
            }

            _ = Task.Run(() => RespondAsync(context, cancellationToken), cancellationToken);
        }
    }

    private async Task RespondAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        try
        {
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/healthz":
                    await WriteTextAsync(response, 200, "ok\n").ConfigureAwait(false);
                    break;
                case "/readyz":
                    await WriteTextAsync(response, _metrics.IsReady ? 200 : 503, _metrics.IsReady ? "ready\n" : "not ready\n").ConfigureAwait(false);
                    break;
                case "/metrics":
                    if (_beforeScrape is not null)
                    {
                        await _beforeScrape(cancellationToken).ConfigureAwait(false);
                    }

                    response.StatusCode = 200;
                    response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    using (var buffer = new MemoryStream())
                    {
                        await _metrics.Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
                        response.ContentLength64 = buffer.Length;
                        buffer.Position = 0;
                        await buffer.CopyToAsync(response.OutputStream, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                default:
                    await WriteTextAsync(response, 404, "not found: try /healthz, /readyz or /metrics\n").ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            LogResponseFailed(_logger, e.Message);
        }
        finally
        {
            response.Close();
        }
    }

    private static async Task WriteTextAsync(HttpListenerResponse response, int status, string text)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(text);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "health endpoint stopped: {Reason}")]
    private static partial void LogListenerFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "health endpoint: a response failed: {Reason}")]
    private static partial void LogResponseFailed(ILogger logger, string reason);
}
