using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Agent.Health;

/// <summary>
/// The HTTP endpoint (off unless <c>--metrics</c> is given): <c>/healthz</c> (the process is alive),
/// <c>/readyz</c> (set up and in sync), and <c>/metrics</c> in the Prometheus text format. A small
/// HTTP/1.x responder on a plain socket: one GET or HEAD per connection, answered and closed. (HttpListener's
/// managed implementation was seen to throw from Start now and then; three read-only paths need no more.)
/// It is built to keep answering the kubelet's probes under abuse: the accept loop survives any error; at most
/// <see cref="MaxConnections"/> connections are open at once, and beyond that the oldest one still sending its
/// request is closed (so idle or slow clients cannot crowd a probe out); each connection has a deadline; and a
/// scrape only formats what the agent already knows (it never starts a process).
/// </summary>
public sealed partial class HealthServer : IHostedService, IAsyncDisposable
{
    /// <summary>Connections served at once.</summary>
    public const int MaxConnections = 256;

    private const int MaxRequestBytes = 8192;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(1);

    private readonly IPEndPoint _endpoint;
    private readonly AgentMetrics _metrics;
    private readonly ILogger<HealthServer> _logger;
    private readonly Func<Socket, CancellationToken, ValueTask<Socket>> _accept;
    private readonly CancellationTokenSource _stop = new();
    private readonly LinkedList<Connection> _connections = [];
    private Socket? _listener;
    private Task? _loop;
    private long _acceptFailures;

    /// <summary>Creates the server for <paramref name="address"/> (<c>host:port</c>; <c>0.0.0.0</c> or <c>*</c> for every address).</summary>
    public HealthServer(string address, AgentMetrics metrics, ILogger<HealthServer> logger)
        : this(Parse(address), metrics, logger, static (listener, token) => listener.AcceptAsync(token))
    {
    }

    // Tests listen on port 0 and may replace the accept call to inject failures.
    internal HealthServer(IPEndPoint endpoint, AgentMetrics metrics, ILogger<HealthServer> logger, Func<Socket, CancellationToken, ValueTask<Socket>> accept)
    {
        _endpoint = endpoint;
        _metrics = metrics;
        _logger = logger;
        _accept = accept;
    }

    /// <summary>The address listened on (the port is the real one once started, also for port 0).</summary>
    public IPEndPoint Endpoint => _listener?.LocalEndPoint as IPEndPoint ?? _endpoint;

    /// <summary>Accept calls that failed so far (each is logged and retried).</summary>
    public long AcceptFailures => Interlocked.Read(ref _acceptFailures);

    /// <summary>The address to listen on for a <c>host:port</c> text; <c>0.0.0.0</c>, <c>*</c> or an empty host mean every IPv4 address.</summary>
    public static IPEndPoint Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return ListenEndpoint.TryParseCommandLine(address, out var endpoint)
            ? endpoint.ForListening()
            : throw new ArgumentException($"--metrics '{address}' is not HOST:PORT with a numeric host (for example 127.0.0.1:9100 or 0.0.0.0:9100)", nameof(address));
    }

    /// <summary>Starts listening.</summary>
    public void Start()
    {
        var listener = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(_endpoint);
            // A deep queue: a burst of connections must not make the kernel drop a probe's SYN (a 1 s retry).
            listener.Listen(4096);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _loop = Task.Run(() => ServeAsync(listener, _stop.Token));
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

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
        var backoff = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _accept(listener, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // EMFILE, ENFILE, ENOBUFS, ECONNABORTED or anything else: the endpoint must outlive it. Pause a
                // little (growing while it lasts) so that a lasting condition does not spin.
                Interlocked.Increment(ref _acceptFailures);
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : TimeSpan.FromTicks(Math.Min(MaxAcceptBackoff.Ticks, backoff.Ticks * 2));
                LogAcceptFailed(_logger, e.Message, backoff.TotalMilliseconds);
                try
                {
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            var connection = Admit(client, cancellationToken);
            if (connection is not null)
            {
                _ = Task.Run(() => RespondAsync(connection), CancellationToken.None);
            }
        }
    }

    // Takes a connection in; at the cap, the oldest one still sending its request makes room (closed at once),
    // or, if every slot is busy answering, the new one is closed.
    private Connection? Admit(Socket client, CancellationToken cancellationToken)
    {
        Connection? evicted = null;
        Connection? admitted = null;
        lock (_connections)
        {
            if (_connections.Count >= MaxConnections)
            {
                for (var node = _connections.First; node is not null; node = node.Next)
                {
                    if (!node.Value.Responding)
                    {
                        evicted = node.Value;
                        _connections.Remove(node);
                        break;
                    }
                }
            }

            if (_connections.Count < MaxConnections)
            {
                admitted = new Connection(client, cancellationToken);
                admitted.Node = _connections.AddLast(admitted);
            }
        }

        evicted?.Abort();
        if (admitted is null)
        {
            client.Dispose();
        }

        return admitted;
    }

    private void Release(Connection connection)
    {
        lock (_connections)
        {
            if (connection.Node?.List is not null)
            {
                _connections.Remove(connection.Node);
            }
        }

        connection.Dispose();
    }

    private async Task RespondAsync(Connection connection)
    {
        var client = connection.Socket;
        var token = connection.Token;
        try
        {
            var (method, path) = await ReadRequestAsync(client, token).ConfigureAwait(false);
            lock (_connections)
            {
                connection.Responding = true;
            }

            var head = method == "HEAD";
            switch (path)
            {
                case null:
                    await WriteAsync(client, 400, "text/plain; charset=utf-8", "bad request\n"u8.ToArray(), head, token).ConfigureAwait(false);
                    break;
                case "/healthz":
                    await WriteAsync(client, 200, "text/plain; charset=utf-8", "ok\n"u8.ToArray(), head, token).ConfigureAwait(false);
                    break;
                case "/readyz":
                    await WriteAsync(client, _metrics.IsReady ? 200 : 503, "text/plain; charset=utf-8",
                        _metrics.IsReady ? "ready\n"u8.ToArray() : "not ready\n"u8.ToArray(), head, token).ConfigureAwait(false);
                    break;
                case "/metrics":
                    // The rule counters are the agent's last read; the scrape only asks for a fresh one.
                    _metrics.Scraped();
                    using (var buffer = new MemoryStream())
                    {
                        await _metrics.Registry.CollectAndExportAsTextAsync(buffer, token).ConfigureAwait(false);
                        await WriteAsync(client, 200, "text/plain; version=0.0.4; charset=utf-8", buffer.ToArray(), head, token).ConfigureAwait(false);
                    }

                    break;
                default:
                    await WriteAsync(client, 404, "text/plain; charset=utf-8", "not found: try /healthz, /readyz or /metrics\n"u8.ToArray(), head, token).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            LogResponseFailed(_logger, e.Message);
        }
        catch (Exception e)
        {
            // Never let one connection's surprise go unobserved or take anything else down.
            LogResponseFailed(_logger, e.ToString());
        }
        finally
        {
            Release(connection);
        }
    }

    // "GET /path HTTP/1.x" once the headers have arrived (bounded in size and time); a null path if it is not one.
    private static async Task<(string? Method, string? Path)> ReadRequestAsync(Socket client, CancellationToken cancellationToken)
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

            // Only the new bytes (and the three before them) can complete the terminator.
            var from = Math.Max(0, length - 3);
            length += read;
            var fresh = buffer.AsSpan(from, length - from);
            if (fresh.IndexOf("\r\n\r\n"u8) >= 0 || fresh.IndexOf("\n\n"u8) >= 0)
            {
                break;
            }
        }

        var text = Encoding.ASCII.GetString(buffer, 0, length);
        var line = text.Split('\n', 2)[0].TrimEnd('\r').Split(' ');
        if (line.Length < 3 || line[0] is not ("GET" or "HEAD") || !line[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return (null, null);
        }

        var target = line[1];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return (line[0], query >= 0 ? target[..query] : target);
    }

    private static async Task WriteAsync(Socket client, int status, string contentType, byte[] body, bool headOnly, CancellationToken cancellationToken)
    {
        var reason = status switch { 200 => "OK", 400 => "Bad Request", 404 => "Not Found", _ => "Service Unavailable" };
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        await client.SendAsync(header, cancellationToken).ConfigureAwait(false);
        if (!headOnly)
        {
            await client.SendAsync(body, cancellationToken).ConfigureAwait(false);
        }

        client.Shutdown(SocketShutdown.Send);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "health endpoint: accepting failed, retrying in {Milliseconds:0} ms: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason, double milliseconds);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "health endpoint: a response failed: {Reason}")]
    private static partial void LogResponseFailed(ILogger logger, string reason);

    // One client: its socket and its deadline (which also serves to close it early when it is evicted).
    private sealed class Connection : IDisposable
    {
        private readonly CancellationTokenSource _deadline;

        public Connection(Socket socket, CancellationToken stopping)
        {
            Socket = socket;
            _deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _deadline.CancelAfter(RequestTimeout);
        }

        public Socket Socket { get; }

        public CancellationToken Token => _deadline.Token;

        public LinkedListNode<Connection>? Node { get; set; }

        public bool Responding { get; set; }

        public void Abort()
        {
            try
            {
                _deadline.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            Socket.Dispose();
            _deadline.Dispose();
        }
    }
}
