using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedirectRouter.TestSupport;

/// <summary>
/// In-process servers and clients for traffic tests. Each socket is created inside its namespace (on the
/// namespace's own thread, see <see cref="RedirectRouter.Netlink.NetNamespace.Run{T}(Func{T})"/>) and keeps
/// that namespace for its life, so the I/O itself runs on any thread. A server answers each TCP connection or
/// UDP datagram with "PROTO LOCALADDR LOCALPORT PEERADDR" and records the same line; a client returns the
/// answer or "ERROR reason", with a 2 s timeout.
/// </summary>
public static class Traffic
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Starts a server in <paramref name="ns"/> on "proto,addr,port" endpoints (stopped on dispose).</summary>
    public static TrafficServer Serve(TestNamespace ns, params string[] endpoints) => new(ns, endpoints);

    /// <summary>Sends one request from <paramref name="ns"/> and returns the answer or "ERROR ...".</summary>
    public static string Request(TestNamespace ns, string protocol, string address, int port)
    {
        var target = new IPEndPoint(IPAddress.Parse(address), port);
        var udp = protocol == "udp";
        using var socket = ns.Handle.Run(() => udp
            ? new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        return Exchange(socket, target, "hi"u8.ToArray(), shutdownAfterSending: false, ClientTimeout);
    }

    /// <summary>
    /// Connects from <paramref name="ns"/>, sends <paramref name="bytes"/> bytes, shuts down its side and returns
    /// the peer's answer (a <see cref="ByteSink"/> answers with the count it received) or "ERROR ...", within 20 s.
    /// </summary>
    public static string Send(TestNamespace ns, string address, int port, int bytes)
    {
        var target = new IPEndPoint(IPAddress.Parse(address), port);
        using var socket = ns.Handle.Run(() => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        var payload = new byte[bytes];
        Array.Fill(payload, (byte)'x');
        return Exchange(socket, target, payload, shutdownAfterSending: true, TimeSpan.FromSeconds(20));
    }

    // Connects, sends the payload (then, if asked, shuts its side down) and returns the peer's first answer;
    // ConnectionRefused is an answer (a reset or port unreachable), TimedOut is silence.
    private static string Exchange(Socket socket, IPEndPoint target, byte[] payload, bool shutdownAfterSending, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            socket.ConnectAsync(target, timeout.Token).AsTask().GetAwaiter().GetResult();
            var sent = 0;
            while (sent < payload.Length)
            {
                sent += socket.SendAsync(payload.AsMemory(sent), SocketFlags.None, timeout.Token).AsTask().GetAwaiter().GetResult();
            }
            if (shutdownAfterSending)
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            var buffer = new byte[200];
            var read = socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask().GetAwaiter().GetResult();
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (SocketException e)
        {
            return $"ERROR {e.SocketErrorCode}";
        }
        catch (OperationCanceledException)
        {
            return $"ERROR {SocketError.TimedOut}";
        }
    }

    internal static Socket Listen(TestNamespace ns, IPAddress address, int port, SocketType type) => ns.Handle.Run(() =>
    {
        var socket = new Socket(address.AddressFamily, type, type == SocketType.Stream ? ProtocolType.Tcp : ProtocolType.Udp);
        if (address.Equals(IPAddress.IPv6Any))
        {
            // "::" takes IPv4 too, as a service listening on all addresses does.
            socket.DualMode = true;
        }
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(address, port));
        if (type == SocketType.Stream)
        {
            socket.Listen(64);
        }
        return socket;
    });

    internal static string Text(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();
}

/// <summary>
/// Listening sockets opened in a namespace, each served by its own loop until dispose; what the servers saw is
/// recorded as lines.
/// </summary>
public abstract class SocketServer : IDisposable
{
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>What the server saw so far, one line per request or connection.</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    protected CancellationTokenSource Stop { get; } = new();

    protected void Record(string line) => _lines.Enqueue(line);

    protected void Serve(Socket socket, Func<Socket, Task> loop)
    {
        _sockets.Add(socket);
        _loops.Add(Task.Run(() => loop(socket)));
    }

    /// <summary>Accepts connections until dispose, each handled on its own task with a timeout.</summary>
    protected async Task AcceptAsync(Socket listener, TimeSpan timeout, Func<Socket, CancellationToken, Task> handle)
    {
        while (!Stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(Stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                using (var limit = CancellationTokenSource.CreateLinkedTokenSource(Stop.Token))
                {
                    limit.CancelAfter(timeout);
                    await handle(client, limit.Token);
                }
            });
        }
    }

    public void Dispose()
    {
        Stop.Cancel();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        Task.WaitAll([.. _loops], TimeSpan.FromSeconds(2));
        Stop.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A multi-endpoint answering server (see <see cref="Traffic"/>); every answered request is one line.</summary>
public sealed class TrafficServer : SocketServer
{
    internal TrafficServer(TestNamespace ns, IReadOnlyList<string> endpoints)
    {
        try
        {
            foreach (var spec in endpoints)
            {
                var parts = spec.Split(',');
                var (protocol, address, port) = (parts[0], parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
                if (protocol == "tcp")
                {
                    Serve(Traffic.Listen(ns, IPAddress.Parse(address), port, SocketType.Stream),
                        listener => AcceptAsync(listener, TimeSpan.FromSeconds(2), (client, token) => AnswerTcpAsync(client, address, port, token)));
                }
                else
                {
                    Serve(Traffic.Listen(ns, IPAddress.Parse(address), port, SocketType.Dgram), socket => AnswerUdpAsync(socket, address, port));
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private async Task AnswerTcpAsync(Socket client, string address, int port, CancellationToken token)
    {
        var message = $"tcp {address} {port} {Traffic.Text(((IPEndPoint)client.RemoteEndPoint!).Address)}";
        try
        {
            await client.ReceiveAsync(new byte[100], SocketFlags.None, token);
        }
        catch (Exception)
        {
            // The answer goes out anyway.
        }
        // Recorded before the answer, so a client that has its answer finds the line.
        Record(message);
        try
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(message), SocketFlags.None, token);
        }
        catch (Exception)
        {
            // The client went away.
        }
    }

    private async Task AnswerUdpAsync(Socket socket, string address, int port)
    {
        var buffer = new byte[100];
        var any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!Stop.IsCancellationRequested)
        {
            try
            {
                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, Stop.Token);
                var peer = (IPEndPoint)result.RemoteEndPoint;
                var message = $"udp {address} {port} {Traffic.Text(peer.Address)}";
                Record(message);
                await socket.SendToAsync(Encoding.ASCII.GetBytes(message), SocketFlags.None, peer, Stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A port unreachable for an earlier answer: keep serving.
            }
        }
    }
}

/// <summary>
/// A TCP server on port 443 of each address that reads everything until the peer shuts down its side, then
/// answers with the byte count; every connection is one line "received N" (after "sink error ..." if it failed).
/// </summary>
public sealed class ByteSink : SocketServer
{
    public ByteSink(TestNamespace ns, params string[] addresses)
    {
        try
        {
            foreach (var address in addresses)
            {
                Serve(Traffic.Listen(ns, IPAddress.Parse(address), 443, SocketType.Stream),
                    listener => AcceptAsync(listener, TimeSpan.FromSeconds(20), CountAsync));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private async Task CountAsync(Socket client, CancellationToken token)
    {
        long total = 0;
        try
        {
            var buffer = new byte[65536];
            int read;
            while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, token)) > 0)
            {
                total += read;
            }
            await client.SendAsync(Encoding.ASCII.GetBytes(total.ToString(CultureInfo.InvariantCulture)), SocketFlags.None, token);
        }
        catch (Exception e)
        {
            Record($"sink error {e.GetType().Name}");
        }
        Record($"received {total}");
    }
}
