using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RedirectRouter.NetfilterBench;

/// <summary>
/// New TCP connections per second, like the baseline's crr-p1: connect, a 64-byte request, a 64-byte
/// reply, a close the server starts. One connection at a time; bounded by time and by count.
/// </summary>
internal static class ConnectionRate
{
    private const int MaxConnections = 200_000;

    public static async Task ServeAsync(string address, int port, TimeSpan lifetime)
    {
        using var listener = new Socket(IPAddress.Parse(address).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Parse(address), port));
        listener.Listen(1024);
        Console.WriteLine("ready");
        using var stop = new CancellationTokenSource(lifetime);
        var reply = new byte[64];
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync(stop.Token);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var buffer = new byte[64];
                        try
                        {
                            client.ReceiveTimeout = 2000;
                            var read = 0;
                            while (read < 64)
                            {
                                var n = await client.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
                                if (n == 0)
                                {
                                    return;
                                }
                                read += n;
                            }
                            await client.SendAsync(reply, SocketFlags.None);
                        }
                        catch (SocketException)
                        {
                        }
                    }
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static double Measure(string address, int port, TimeSpan duration)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(address), port);
        var request = new byte[64];
        var buffer = new byte[64];
        var clock = Stopwatch.StartNew();
        var count = 0;
        while (clock.Elapsed < duration && count < MaxConnections)
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 2000, SendTimeout = 2000 };
            socket.Connect(endpoint);
            socket.Send(request);
            var read = 0;
            while (read < 64)
            {
                var n = socket.Receive(buffer, read, 64 - read, SocketFlags.None);
                if (n == 0)
                {
                    throw new InvalidOperationException("the server closed before replying");
                }
                read += n;
            }
            // Wait for the server's close, so that its side holds TIME_WAIT and our ports stay free.
            _ = socket.Receive(buffer);
            count++;
        }
        return count / clock.Elapsed.TotalSeconds;
    }
}
