using System.Net;
using System.Net.Sockets;
using System.Text;
using RedirectRouter.Netlink.NfTables;
using RedirectRouter.TestSupport;
using static RedirectRouter.Netlink.Tests.NfTables.NftWitness;

namespace RedirectRouter.Netlink.Tests.NfTables;

/// <summary>
/// Real TCP and UDP through the agent's DNAT map lookups while the maps change natively: a client namespace talks
/// to the router namespace's address, whose prerouting chain sends each port where the map says (local listeners).
/// </summary>
public sealed class NfTablesTrafficKernelTests
{
    private static readonly IPAddress RouterAddress = IPAddress.Parse("10.77.0.1");
    private static readonly IPAddress ServerAddress = IPAddress.Parse("10.78.0.1");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static NfMapElement To(byte protocol, ushort port, ushort target) =>
        new(new NfPortKey(protocol, port), NfMapValue.To(ServerAddress, target));

    private static Socket Listen(TestNamespace ns, ProtocolType protocol, ushort port) => ns.Handle.Run(() =>
    {
        var socket = protocol == ProtocolType.Tcp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(ServerAddress, port));
        if (protocol == ProtocolType.Tcp)
        {
            socket.Listen();
        }

        return socket;
    });

    private static Socket Connect(TestNamespace client, ushort port) => client.Handle.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000, SendTimeout = 5000 };
        Assert.True(socket.ConnectAsync(new IPEndPoint(RouterAddress, port)).Wait(Wait), $"connect to {RouterAddress}:{port} timed out");
        return socket;
    });

    private static Socket Accept(Socket listener)
    {
        Assert.True(listener.Poll(Wait, SelectMode.SelectRead), $"no connection reached {listener.LocalEndPoint}");
        var accepted = listener.Accept();
        accepted.ReceiveTimeout = 5000;
        return accepted;
    }

    private static void SendUdp(TestNamespace client, ushort port, string text) => client.Handle.Run(() =>
    {
        // A new socket, so a new source port and a new conntrack entry that looks the map up again.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SendTo(Encoding.ASCII.GetBytes(text), new IPEndPoint(RouterAddress, port));
    });

    private static string ReceiveUdp(Socket socket)
    {
        Assert.True(socket.Poll(Wait, SelectMode.SelectRead), $"no datagram reached {socket.LocalEndPoint}");
        var buffer = new byte[256];
        return Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer));
    }

    private static string Exchange(Socket from, Socket to, string text)
    {
        from.Send(Encoding.ASCII.GetBytes(text));
        var buffer = new byte[256];
        return Encoding.ASCII.GetString(buffer, 0, to.Receive(buffer));
    }

    [Fact]
    public void TrafficFollowsANativelyChangedMappingAndAnEstablishedFlowSurvivesAHundredOtherChanges()
    {
        using var router = TestNamespace.Create("nft-router");
        using var client = TestNamespace.Create("nft-client");
        router.Ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", client.Name);
        router.Ip("addr", "add", "10.77.0.1/24", "dev", "veth0");
        router.Ip("addr", "add", "10.78.0.1/32", "dev", "lo");
        router.Ip("link", "set", "veth0", "up");
        client.Ip("addr", "add", "10.77.0.2/24", "dev", "veth1");
        client.Ip("link", "set", "veth1", "up");
        Load(router, Ruleset);

        using var tcpA = Listen(router, ProtocolType.Tcp, 9001);
        using var tcpB = Listen(router, ProtocolType.Tcp, 9002);
        using var tcpKept = Listen(router, ProtocolType.Tcp, 9003);
        using var udpA = Listen(router, ProtocolType.Udp, 9101);
        using var udpB = Listen(router, ProtocolType.Udp, 9102);
        using var nft = NfTablesHandle.OpenIn(router.Handle);
        nft.ElementsAdd(Ports, [To(NfPortKey.Tcp, 8080, 9001), To(NfPortKey.Tcp, 8081, 9003), To(NfPortKey.Udp, 5353, 9101)]);

        // The established flow, on a mapping that will not change.
        using var keptClient = Connect(client, 8081);
        using var keptServer = Accept(tcpKept);
        Assert.Equal("hello", Exchange(keptClient, keptServer, "hello"));

        using (var first = Connect(client, 8080))
        using (Accept(tcpA))
        {
            Assert.False(tcpB.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead));
        }

        SendUdp(client, 5353, "udp-a");
        Assert.Equal("udp-a", ReceiveUdp(udpA));

        // Change both mappings natively; new flows go to the new targets.
        nft.Commit(new NfTablesBatch().ElementsReplace(Ports, [To(NfPortKey.Tcp, 8080, 9002), To(NfPortKey.Udp, 5353, 9102)]));
        using (var second = Connect(client, 8080))
        using (Accept(tcpB))
        {
            Assert.False(tcpA.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead));
        }

        SendUdp(client, 5353, "udp-b");
        Assert.Equal("udp-b", ReceiveUdp(udpB));
        Assert.False(udpA.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead));

        // A hundred changes of other mappings: replaces, additions and deletions, each its own transaction.
        for (var i = 0; i < 100; i++)
        {
            var batch = new NfTablesBatch().ElementsReplace(Ports, [To(NfPortKey.Tcp, 8080, (ushort)(i % 2 == 0 ? 9001 : 9002))]);
            batch = i % 3 == 0
                ? batch.ElementsAdd(Ports, [To(NfPortKey.Udp, (ushort)(20_000 + i), 9101)])
                : batch.ElementsAdd(Ranges, [new NfMapElement(new NfPortKey(NfPortKey.Tcp, (ushort)(30_000 + (i * 10)), (ushort)(30_005 + (i * 10))), NfMapValue.To(ServerAddress))]);
            nft.Commit(batch);
        }

        Assert.Equal("still here", Exchange(keptClient, keptServer, "still here"));
        Assert.Equal("and back", Exchange(keptServer, keptClient, "and back"));

        // The element counters count the first packet of each flow (NAT looks the map up once per connection).
        var native = nft.ElementsList(Ports).ToDictionary(e => e.Key);
        var witness = Map(router, Ports);
        var kept = native[new NfPortKey(NfPortKey.Tcp, 8081)].Counter;
        Assert.Equal(1UL, kept?.Packets);
        foreach (var (key, entry) in native)
        {
            Assert.Equal(witness[key.ToString()].Counter, entry.Counter);
        }
    }
}
