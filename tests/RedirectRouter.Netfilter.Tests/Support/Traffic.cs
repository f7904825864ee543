using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Support;

/// <summary>
/// Tiny python3 servers and clients for traffic tests. The server answers each TCP connection or UDP
/// datagram with "PROTO LOCALADDR LOCALPORT PEERADDR" and prints the same line; its lifetime is bounded
/// (and it is killed on dispose). The client prints the answer or "ERROR ...", with a 2 s timeout.
/// </summary>
internal static class Traffic
{
    private const string ServerScript = """
        import selectors, socket, sys, time
        sel = selectors.DefaultSelector()
        for spec in sys.argv[2:]:
            proto, addr, port = spec.split(',')
            fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, int(port)))
            if proto == 'tcp':
                s.listen(64)
            sel.register(s, selectors.EVENT_READ, (proto, addr, port))
        print('ready', flush=True)
        deadline = time.time() + float(sys.argv[1])
        while time.time() < deadline:
            for key, _ in sel.select(timeout=0.5):
                proto, addr, port = key.data
                if proto == 'tcp':
                    c, peer = key.fileobj.accept()
                    c.settimeout(2)
                    try:
                        c.recv(100)
                    except Exception:
                        pass
                    msg = f'tcp {addr} {port} {peer[0]}'
                    try:
                        c.sendall(msg.encode())
                    except Exception:
                        pass
                    c.close()
                else:
                    data, peer = key.fileobj.recvfrom(100)
                    msg = f'udp {addr} {port} {peer[0]}'
                    key.fileobj.sendto(msg.encode(), peer)
                print(msg, flush=True)
        """;

    private const string ClientScript = """
        import socket, sys
        proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
        fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
        s.settimeout(2)
        try:
            s.connect((addr, port))
            s.send(b'hi')
            print(s.recv(200).decode())
        except Exception as e:
            print('ERROR', type(e).__name__)
        """;

    /// <summary>Starts a server in <paramref name="ns"/> on "proto,addr,port" endpoints, for at most 120 s.</summary>
    public static BackgroundProcess Serve(TestNamespace ns, params string[] endpoints)
    {
        var server = new BackgroundProcess("ip", ["netns", "exec", ns.Name, "timeout", "120", "python3", "-u", "-c", ServerScript, "110", .. endpoints]);
        try
        {
            server.WaitFor("ready", TimeSpan.FromSeconds(15));
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request from <paramref name="ns"/> and returns the answer or "ERROR ...".</summary>
    public static string Request(TestNamespace ns, string protocol, string address, int port) =>
        TestNamespace.Run("ip", ["netns", "exec", ns.Name, "timeout", "10", "python3", "-c", ClientScript, protocol, address, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]).Trim();
}
