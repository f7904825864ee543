using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Tests.Support;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Kernel;

/// <summary>
/// The router as a security boundary, with real traffic per backend: the app pod reaches what is configured
/// (path MTU discovery included), and a stranger on the egress segment, or a host of another home, gets nothing
/// through the router and no answer from it; the drops are counted.
/// </summary>
public sealed class FilterKernelTests
{
    private const int TransferBytes = 1 << 20;
    private const int MetricsPort = 9100;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static NatModel Model(bool ipv6)
    {
        var dnat = new List<DnatEntry>
        {
            new(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("172.16.100.25"), PortRange.Single(80), "a"),
            new(Protocol.Udp, PortRange.Single(5353), IPAddress.Parse("172.16.100.25"), PortRange.Single(53), "a"),
            new(Protocol.Tcp, PortRange.Single(8443), IPAddress.Parse("172.16.100.25"), PortRange.Single(443), "a"),
            new(Protocol.Tcp, PortRange.Single(8081), IPAddress.Parse("192.168.13.1"), PortRange.Single(80), "b"),
        };
        var fallbacks = new List<FallbackDnat> { new(AddressFamily.InterNetwork, IPAddress.Parse("172.16.100.26"), "a") };
        var snat = new List<SnatEntry>
        {
            new("a", EgressSegmentTopology.HomeA, IPAddress.Parse("192.168.12.99")),
            new("b", EgressSegmentTopology.HomeB, IPAddress.Parse("192.168.13.99")),
        };
        if (ipv6)
        {
            dnat.Add(new(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("fd00:100::25"), PortRange.Single(80), "a"));
            dnat.Add(new(Protocol.Udp, PortRange.Single(5353), IPAddress.Parse("fd00:100::25"), PortRange.Single(53), "a"));
            dnat.Add(new(Protocol.Tcp, PortRange.Single(8443), IPAddress.Parse("fd00:100::25"), PortRange.Single(443), "a"));
            fallbacks.Add(new(AddressFamily.InterNetworkV6, IPAddress.Parse("fd00:100::26"), "a"));
            snat.Add(new("a", EgressSegmentTopology.HomeA, IPAddress.Parse("fd00:12::99")));
        }
        // Both homes are reached through the main table here (their subnets and the default route), so no marks.
        return new NatModel("eth0", dnat.ToValueList(), fallbacks.ToValueList(), snat.ToValueList(),
            [new HomeRouting("a", EgressSegmentTopology.HomeA, null, 254), new HomeRouting("b", EgressSegmentTopology.HomeB, null, 254)])
        {
            LocalTcpPorts = [MetricsPort],
        };
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task NothingFromTheEgressSideIsForwardedOrAnsweredWhileTheAppPodReachesEveryDestination(string name)
    {
        using var topology = new EgressSegmentTopology();
        var backend = await Backends.CreateAsync(name, topology.Router);
        using var destination = Traffic.Serve(topology.Destination, "tcp,172.16.100.25,80", "udp,172.16.100.25,53", "tcp,172.16.100.26,7777",
            "tcp,fd00:100::25,80", "udp,fd00:100::25,53", "tcp,fd00:100::26,7777");
        using var sink = Sink(topology.Destination, "172.16.100.25", "fd00:100::25");
        using var homeB = Traffic.Serve(topology.HomeBHost, "tcp,192.168.13.1,80", "udp,192.168.13.1,53", "tcp,fd00:13::1,80", "udp,fd00:13::1,53");
        using var pod = Traffic.Serve(topology.Client, "tcp,10.128.0.10,80", "udp,10.128.0.10,53", "tcp,fd00:128::10,80", "udp,fd00:128::10,53");
        using var metrics = Traffic.Serve(topology.Router, $"tcp,::,{MetricsPort}");
        var st = topology.Stranger;

        // Without our rules the stranger gets through the router, and the router answers it: what follows can fail.
        // (A few tries: the first packets of a fresh topology wait for neighbour discovery.)
        Eventually(() => Traffic.Request(st, "tcp", "172.16.100.25", 80), "tcp 172.16.100.25 80 ");
        Eventually(() => Traffic.Request(st, "tcp", "fd00:100::25", 80), "tcp fd00:100::25 80 ");
        Eventually(() => Traffic.Request(st, "tcp", "192.168.13.1", 80), "tcp 192.168.13.1 80 ");
        Eventually(() => Traffic.Request(st, "tcp", "10.128.0.10", 80), "tcp 10.128.0.10 80 ");
        Eventually(() => Traffic.Request(st, "tcp", "192.168.12.99", MetricsPort), "tcp :: 9100 ");
        Eventually(() => EgressSegmentTopology.Pings(st, "192.168.12.99") ? "pong" : "no answer", "pong");

        var applied = await backend.ApplyAsync(Model(ipv6: true), Cancel);
        Assert.True(applied.Drift.IsClean, applied.Drift.ToString());

        // The app pod reaches every configured destination, from the egress address of the home.
        foreach (var (router, dest, fallback, egress) in new[] { ("10.128.0.2", "172.16.100.25", "172.16.100.26", "192.168.12.99"), ("fd00:128::2", "fd00:100::25", "fd00:100::26", "fd00:12::99") })
        {
            Assert.Equal($"tcp {dest} 80 {egress}", Traffic.Request(topology.Client, "tcp", router, 8080));
            Assert.Equal($"udp {dest} 53 {egress}", Traffic.Request(topology.Client, "udp", router, 5353));
            Assert.Equal($"tcp {fallback} 7777 {egress}", Traffic.Request(topology.Client, "tcp", router, 7777));
            // 1 MiB over the 1280-byte hop behind the gateway: only completes if "fragmentation needed" / "packet too big" reaches the client.
            Assert.Equal(TransferBytes.ToString(CultureInfo.InvariantCulture), Send(topology.Client, router, 8443, TransferBytes));
        }
        Assert.Equal("tcp 192.168.13.1 80 192.168.13.99", Traffic.Request(topology.Client, "tcp", "10.128.0.2", 8081));
        Assert.StartsWith("tcp :: 9100 ", Traffic.Request(topology.Client, "tcp", "10.128.0.2", MetricsPort), StringComparison.Ordinal);
        Assert.StartsWith("tcp :: 9100 ", Traffic.Request(topology.Client, "tcp", "fd00:128::2", MetricsPort), StringComparison.Ordinal);
        // The router's own flows to the egress side get their replies.
        Assert.True(EgressSegmentTopology.Pings(topology.Router, "192.168.12.1"));
        Assert.True(EgressSegmentTopology.Pings(topology.Router, "fd00:12::1"));

        var seen = (Dest: destination.Lines.Count, HomeB: homeB.Lines.Count, Pod: pod.Lines.Count, Metrics: metrics.Lines.Count, Sink: sink.Lines.Count);
        var echoes = Echoes(topology);
        var dropsBefore = await DropsAsync(backend);

        // The stranger: hairpin into the destination network, into the app pod's network, across to home b,
        // and to the router itself (its listener and a redirect port): no answer, not even a reset or an echo reply.
        foreach (var target in new[] { "172.16.100.25", "fd00:100::25", "10.128.0.10", "fd00:128::10", "192.168.13.1", "fd00:13::1" })
        {
            AssertNoAnswer(Traffic.Request(st, "tcp", target, 80));
            AssertNoAnswer(Traffic.Request(st, "udp", target, 53));
            Assert.False(EgressSegmentTopology.Pings(st, target), $"{target} answered a ping");
        }
        foreach (var router in new[] { "192.168.12.99", "fd00:12::99" })
        {
            AssertNoAnswer(Traffic.Request(st, "tcp", router, MetricsPort));
            AssertNoAnswer(Traffic.Request(st, "tcp", router, 8080));
            Assert.False(EgressSegmentTopology.Pings(st, router), $"{router} answered a ping");
        }
        // Home b's host, across the router into home a's destination network.
        AssertNoAnswer(Traffic.Request(topology.HomeBHost, "tcp", "172.16.100.25", 80));
        AssertNoAnswer(Traffic.Request(topology.HomeBHost, "tcp", "fd00:100::25", 80));

        // Nothing arrived anywhere, and the stranger still resolved the router (ARP and neighbour discovery pass).
        Assert.Equal(seen, (destination.Lines.Count, homeB.Lines.Count, pod.Lines.Count, metrics.Lines.Count, sink.Lines.Count));
        Assert.Equal(echoes, Echoes(topology));
        Assert.NotNull(EgressSegmentTopology.NeighbourMac(st, "192.168.12.99"));
        Assert.NotNull(EgressSegmentTopology.NeighbourMac(st, "fd00:12::99"));

        // ... and the drops are counted, by direction, family and hook.
        var drops = await DropsAsync(backend);
        foreach (var family in new[] { "ipv4", "ipv6" })
        {
            // 6 targets x (tcp SYN retries + udp + ping) per family at least one packet each.
            Assert.True(Delta(drops, dropsBefore, FilterDrops.FromEgress, family, "forward") >= 9, $"{family} forward drops: {Delta(drops, dropsBefore, FilterDrops.FromEgress, family, "forward")}");
            Assert.True(Delta(drops, dropsBefore, FilterDrops.FromEgress, family, "input") >= 3, $"{family} input drops: {Delta(drops, dropsBefore, FilterDrops.FromEgress, family, "input")}");
        }

        // An IPv4-only configuration: nothing IPv6 is forwarded, from either side.
        var v4Only = await backend.ApplyAsync(Model(ipv6: false), Cancel);
        Assert.True(v4Only.Drift.IsClean, v4Only.Drift.ToString());
        Assert.Equal("tcp 172.16.100.25 80 192.168.12.99", Traffic.Request(topology.Client, "tcp", "10.128.0.2", 8080));
        seen = (destination.Lines.Count, homeB.Lines.Count, pod.Lines.Count, metrics.Lines.Count, sink.Lines.Count);
        echoes = Echoes(topology);
        dropsBefore = await DropsAsync(backend);
        AssertNoAnswer(Traffic.Request(topology.Client, "tcp", "fd00:100::25", 80));
        AssertNoAnswer(Traffic.Request(topology.Client, "udp", "fd00:100::25", 53));
        Assert.False(EgressSegmentTopology.Pings(topology.Client, "fd00:100::25"));
        AssertNoAnswer(Traffic.Request(topology.Client, "tcp", "fd00:13::1", 80));
        AssertNoAnswer(Traffic.Request(st, "tcp", "fd00:100::25", 80));
        Assert.False(EgressSegmentTopology.Pings(st, "fd00:128::10"));
        Assert.Equal(seen, (destination.Lines.Count, homeB.Lines.Count, pod.Lines.Count, metrics.Lines.Count, sink.Lines.Count));
        Assert.Equal(echoes, Echoes(topology));
        drops = await DropsAsync(backend);
        Assert.True(Delta(drops, dropsBefore, FilterDrops.FromCluster, "ipv6", "forward") >= 4);
        Assert.True(Delta(drops, dropsBefore, FilterDrops.FromEgress, "ipv6", "forward") >= 2);

        await backend.CleanupAsync(Cancel);
    }

    private static void Eventually(Func<string> attempt, string expectedStart)
    {
        var answer = "";
        for (var i = 0; i < 5; i++)
        {
            answer = attempt();
            if (answer.StartsWith(expectedStart, StringComparison.Ordinal))
            {
                return;
            }
        }
        Assert.StartsWith(expectedStart, answer, StringComparison.Ordinal);
    }

    private static void AssertNoAnswer(string answer)
    {
        Assert.StartsWith("ERROR", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("Refused", answer, StringComparison.Ordinal);
    }

    private static (long, long, long, long, long, long) Echoes(EgressSegmentTopology t) =>
        (EgressSegmentTopology.EchoRequestsReceived(t.Destination, false), EgressSegmentTopology.EchoRequestsReceived(t.Destination, true),
         EgressSegmentTopology.EchoRequestsReceived(t.HomeBHost, false), EgressSegmentTopology.EchoRequestsReceived(t.HomeBHost, true),
         EgressSegmentTopology.EchoRequestsReceived(t.Client, false), EgressSegmentTopology.EchoRequestsReceived(t.Client, true));

    private static async Task<IReadOnlyList<DropCount>> DropsAsync(INetfilterBackend backend) =>
        FilterDrops.Of(await backend.ReadCountersAsync(Cancel));

    private static long Delta(IReadOnlyList<DropCount> after, IReadOnlyList<DropCount> before, string direction, string family, string hook)
    {
        static ulong Of(IReadOnlyList<DropCount> drops, string direction, string family, string hook) =>
            drops.Single(d => d.Direction == direction && d.Family == family && d.Hook == hook).Packets;
        return (long)(Of(after, direction, family, hook) - Of(before, direction, family, hook));
    }

    private static ByteSink Sink(TestNamespace ns, params string[] addresses) => new(ns, addresses);

    private static string Send(TestNamespace ns, string address, int port, int bytes) => Traffic.Send(ns, address, port, bytes);
}
