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
        using var timeout = new CancellationTokenSource(ClientTimeout);
        try
        {
            socket.ConnectAsync(target, timeout.Token).AsTask().GetAwaiter().GetResult();
            socket.SendAsync("hi"u8.ToArray(), SocketFlags.None, timeout.Token).AsTask().GetAwaiter().GetResult();
            var buffer = new byte[200];
            var read = socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask().GetAwaiter().GetResult();
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (SocketException e)
        {
            // ConnectionRefused is an answer (a reset or port unreachable); TimedOut is silence.
            return $"ERROR {e.SocketErrorCode}";
        }
        catch (OperationCanceledException)
        {
            return $"ERROR {SocketError.TimedOut}";
        }
    }

    /// <summary>
    /// Connects from <paramref name="ns"/>, sends <paramref name="bytes"/> bytes, shuts down its side and returns
    /// the peer's answer (a <see cref="ByteSink"/> answers with the count it received) or "ERROR ...", within 20 s.
    /// </summary>
    public static string Send(TestNamespace ns, string address, int port, int bytes)
    {
        var target = new IPEndPoint(IPAddress.Parse(address), port);
        using var socket = ns.Handle.Run(() => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            socket.ConnectAsync(target, timeout.Token).AsTask().GetAwaiter().GetResult();
            var payload = new byte[bytes];
            Array.Fill(payload, (byte)'x');
            var sent = 0;
            while (sent < payload.Length)
            {
                sent += socket.SendAsync(payload.AsMemory(sent), SocketFlags.None, timeout.Token).AsTask().GetAwaiter().GetResult();
            }
            socket.Shutdown(SocketShutdown.Send);
            var buffer = new byte[100];
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

/// <summary>A multi-endpoint answering server (see <see cref="Traffic"/>); every answered request is one line.</summary>
public sealed class TrafficServer : IDisposable
{
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _lines = new();

    internal TrafficServer(TestNamespace ns, IReadOnlyList<string> endpoints)
    {
        try
        {
            foreach (var spec in endpoints)
            {
                var parts = spec.Split(',');
                var (protocol, address, port) = (parts[0], parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
                var tcp = protocol == "tcp";
                var socket = Traffic.Listen(ns, IPAddress.Parse(address), port, tcp ? SocketType.Stream : SocketType.Dgram);
                _sockets.Add(socket);
                _loops.Add(tcp ? Task.Run(() => AcceptAsync(socket, address, port)) : Task.Run(() => AnswerAsync(socket, address, port)));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The requests answered so far, as "PROTO LOCALADDR LOCALPORT PEERADDR".</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    private async Task AcceptAsync(Socket listener, string address, int port)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    timeout.CancelAfter(TimeSpan.FromSeconds(2));
                    var message = $"tcp {address} {port} {Traffic.Text(((IPEndPoint)client.RemoteEndPoint!).Address)}";
                    try
                    {
                        await client.ReceiveAsync(new byte[100], SocketFlags.None, timeout.Token);
                    }
                    catch (Exception)
                    {
                        // The answer goes out anyway.
                    }
                    // Recorded before the answer, so a client that has its answer finds the line.
                    _lines.Enqueue(message);
                    try
                    {
                        await client.SendAsync(Encoding.ASCII.GetBytes(message), SocketFlags.None, timeout.Token);
                    }
                    catch (Exception)
                    {
                        // The client went away.
                    }
                }
            });
        }
    }

    private async Task AnswerAsync(Socket socket, string address, int port)
    {
        var buffer = new byte[100];
        var any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                var peer = (IPEndPoint)result.RemoteEndPoint;
                var message = $"udp {address} {port} {Traffic.Text(peer.Address)}";
                _lines.Enqueue(message);
                await socket.SendToAsync(Encoding.ASCII.GetBytes(message), SocketFlags.None, peer, _stop.Token);
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

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        Task.WaitAll([.. _loops], TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }
}

/// <summary>
/// A TCP server on port 443 of each address that reads everything until the peer shuts down its side, then
/// answers with the byte count; every connection is one line "received N" (or "sink error ...").
/// </summary>
public sealed class ByteSink : IDisposable
{
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _lines = new();

    public ByteSink(TestNamespace ns, params string[] addresses)
    {
        try
        {
            foreach (var address in addresses)
            {
                var socket = Traffic.Listen(ns, IPAddress.Parse(address), 443, SocketType.Stream);
                _sockets.Add(socket);
                _loops.Add(Task.Run(() => AcceptAsync(socket)));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<string> Lines => _lines.ToArray();

    private async Task AcceptAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    timeout.CancelAfter(TimeSpan.FromSeconds(20));
                    long total = 0;
                    try
                    {
                        var buffer = new byte[65536];
                        int read;
                        while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
                        {
                            total += read;
                        }
                        await client.SendAsync(Encoding.ASCII.GetBytes(total.ToString(CultureInfo.InvariantCulture)), SocketFlags.None, timeout.Token);
                    }
                    catch (Exception e)
                    {
                        _lines.Enqueue($"sink error {e.GetType().Name}");
                    }
                    _lines.Enqueue($"received {total}");
                }
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        Task.WaitAll([.. _loops], TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }
}
