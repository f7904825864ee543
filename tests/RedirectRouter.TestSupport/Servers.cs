using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedirectRouter.TestSupport;

/// <summary>A TCP server inside a namespace: answers "PEER PORT" (the address it saw and its own port) and closes.</summary>
public sealed class TcpServer : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TcpServer(TestNamespace ns, IPAddress address, int port)
    {
        _listener = ns.Handle.Run(() =>
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(64);
            return socket;
        });
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }

                // Each connection on its own task, so held connections do not block new ones.
                _ = Task.Run(() => ServeAsync(client, port));
            }
        });
    }

    private async Task ServeAsync(Socket client, int port)
    {
        using (client)
        {
            var peer = (IPEndPoint)client.RemoteEndPoint!;
            Peers.Add(peer.Address);
            try
            {
                await client.SendAsync(Encoding.ASCII.GetBytes($"{peer.Address} {port}\n"));
                if (HoldConnections)
                {
                    // Echo until the client closes: for connections that must survive a reload.
                    var buffer = new byte[64];
                    int read;
                    while ((read = await client.ReceiveAsync(buffer, _stop.Token)) > 0)
                    {
                        await client.SendAsync(buffer.AsMemory(0, read));
                    }
                }
            }
            catch (Exception)
            {
                // The client went away.
            }
        }
    }

    public System.Collections.Concurrent.ConcurrentBag<IPAddress> Peers { get; } = [];

    public bool HoldConnections { get; init; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }
}

/// <summary>A UDP server inside a namespace: answers each datagram with "PEER PORT".</summary>
public sealed class UdpServer : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public UdpServer(TestNamespace ns, IPAddress address, int port)
    {
        _socket = ns.Handle.Run(() =>
        {
            var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        });
        _loop = Task.Run(async () =>
        {
            var buffer = new byte[256];
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var result = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), _stop.Token);
                    var peer = (IPEndPoint)result.RemoteEndPoint;
                    await _socket.SendToAsync(Encoding.ASCII.GetBytes($"{peer.Address} {port}"), peer);
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }
}
