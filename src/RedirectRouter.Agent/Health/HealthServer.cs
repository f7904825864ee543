using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace RedirectRouter.Agent.Health;

/// <summary>
/// The HTTP endpoint (off unless <c>--metrics</c> is given): <c>/healthz</c> (the process is alive),
/// <c>/readyz</c> (set up and in sync), and <c>/metrics</c> in the Prometheus text format. A small
/// HTTP/1.x responder on a plain socket: one GET per connection, answered and closed. (HttpListener's
/// managed implementation was seen to throw from Start now and then; three read-only paths need no more.)
/// </summary>
public sealed partial class HealthServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 8192;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly IPEndPoint _endpoint;
    private readonly AgentMetrics _metrics;
    private readonly Func<CancellationToken, Task>? _beforeScrape;
    private readonly ILogger<HealthServer> _logger;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _loop;

    /// <summary>Creates the server for <paramref name="address"/> (<c>host:port</c>; <c>0.0.0.0</c> or <c>*</c> for every address).</summary>
    public HealthServer(string address, AgentMetrics metrics, Func<CancellationToken, Task>? beforeScrape, ILogger<HealthServer> logger)
    {
        _endpoint = Parse(address);
        _metrics = metrics;
        _beforeScrape = beforeScrape;
        _logger = logger;
    }

    /// <summary>The address to listen on for a <c>host:port</c> text; <c>0.0.0.0</c>, <c>*</c> or an empty host mean every IPv4 address.</summary>
    public static IPEndPoint Parse(string address)
    {
        var colon = address.LastIndexOf(':');
        var host = colon > 0 ? address[..colon].Trim('[', ']') : "";
        if (colon <= 0
            || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535
            || !(host is "*" or "" || IPAddress.TryParse(host, out _)))
        {
            throw new ArgumentException($"--metrics '{address}' is not HOST:PORT with a numeric host (for example 127.0.0.1:9100 or 0.0.0.0:9100)", nameof(address));
        }

        return new IPEndPoint(host is "*" or "" ? IPAddress.Any : IPAddress.Parse(host), port);
    }

    /// <summary>Starts listening.</summary>
    public void Start()
    {
        var listener = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(_endpoint);
            listener.Listen(32);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _loop = Task.Run(() => ServeAsync(listener, _stop.Token));
    }

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                LogListenerFailed(_logger, e.Message);
                return;
            }

            _ = Task.Run(() => RespondAsync(client, cancellationToken), cancellationToken);
        }
    }

    private async Task RespondAsync(Socket client, CancellationToken cancellationToken)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            var path = await ReadRequestPathAsync(client, timeout.Token).ConfigureAwait(false);
            switch (path)
            {
                case null:
                    await WriteAsync(client, 400, "text/plain; charset=utf-8", "bad request\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
                    break;
                case "/healthz":
                    await WriteAsync(client, 200, "text/plain; charset=utf-8", "ok\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
                    break;
                case "/readyz":
                    await WriteAsync(client, _metrics.IsReady ? 200 : 503, "text/plain; charset=utf-8",
                        _metrics.IsReady ? "ready\n"u8.ToArray() : "not ready\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
                    break;
                case "/metrics":
                    if (_beforeScrape is not null)
                    {
                        await _beforeScrape(timeout.Token).ConfigureAwait(false);
                    }

                    using (var buffer = new MemoryStream())
                    {
                        await _metrics.Registry.CollectAndExportAsTextAsync(buffer, timeout.Token).ConfigureAwait(false);
                        await WriteAsync(client, 200, "text/plain; version=0.0.4; charset=utf-8", buffer.ToArray(), timeout.Token).ConfigureAwait(false);
                    }

                    break;
                default:
                    await WriteAsync(client, 404, "text/plain; charset=utf-8", "not found: try /healthz, /readyz or /metrics\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            LogResponseFailed(_logger, e.Message);
        }
    }

    // The path of "GET /path HTTP/1.x" once the headers have arrived (bounded in size and time); null if it is not one.
    private static async Task<string?> ReadRequestPathAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0 || buffer.AsSpan(0, length).IndexOf("\n\n"u8) >= 0)
            {
                break;
            }
        }

        var text = Encoding.ASCII.GetString(buffer, 0, length);
        var line = text.Split('\n', 2)[0].TrimEnd('\r').Split(' ');
        if (line.Length < 3 || line[0] is not ("GET" or "HEAD") || !line[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        var target = line[1];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? target[..query] : target;
    }

    private static async Task WriteAsync(Socket client, int status, string contentType, byte[] body, CancellationToken cancellationToken)
    {
        var reason = status switch { 200 => "OK", 400 => "Bad Request", 404 => "Not Found", _ => "Service Unavailable" };
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        await client.SendAsync(header, cancellationToken).ConfigureAwait(false);
        await client.SendAsync(body, cancellationToken).ConfigureAwait(false);
        client.Shutdown(SocketShutdown.Send);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "health endpoint stopped: {Reason}")]
    private static partial void LogListenerFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "health endpoint: a response failed: {Reason}")]
    private static partial void LogResponseFailed(ILogger logger, string reason);
}
