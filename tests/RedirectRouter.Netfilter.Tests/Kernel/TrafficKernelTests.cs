using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Tests.Support;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Kernel;

/// <summary>Real TCP and UDP through a router namespace, per backend, IPv4 and IPv6.</summary>
public sealed class TrafficKernelTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static NatModel Model(bool withFallback) => new(
        "eth0",
        [
            new DnatEntry(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("192.168.12.50"), PortRange.Single(80), "main"),
            new DnatEntry(Protocol.Udp, PortRange.Single(5353), IPAddress.Parse("192.168.12.50"), PortRange.Single(53), "main"),
            new DnatEntry(Protocol.Udp, new PortRange(8000, 8001), IPAddress.Parse("192.168.12.50"), new PortRange(9000, 9001), "main"),
            new DnatEntry(Protocol.Tcp, new PortRange(7000, 7010), IPAddress.Parse("192.168.12.50"), null, "main"),
            new DnatEntry(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("fd00:12::50"), PortRange.Single(80), "main"),
            new DnatEntry(Protocol.Udp, PortRange.Single(5353), IPAddress.Parse("fd00:12::50"), PortRange.Single(53), "main"),
            new DnatEntry(Protocol.Udp, new PortRange(8000, 8001), IPAddress.Parse("fd00:12::50"), new PortRange(9000, 9001), "main"),
            new DnatEntry(Protocol.Tcp, new PortRange(7000, 7010), IPAddress.Parse("fd00:12::50"), null, "main"),
        ],
        withFallback
            ? [new FallbackDnat(AddressFamily.InterNetwork, IPAddress.Parse("192.168.12.51"), "main"), new FallbackDnat(AddressFamily.InterNetworkV6, IPAddress.Parse("fd00:12::51"), "main")]
            : [],
        [new SnatEntry("main", RouterTopology.Egress, IPAddress.Parse("192.168.12.99")), new SnatEntry("main", RouterTopology.Egress, IPAddress.Parse("fd00:12::99"))],
        [new HomeRouting("main", RouterTopology.Egress, null, 254)]);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task MappedPortsFallbackAndDropWorkForIpv4AndIpv6(string name)
    {
        using var topology = new RouterTopology();
        var backend = await Backends.CreateAsync(name, topology.Router);
        var applied = await backend.ApplyAsync(Model(withFallback: true), Cancel);
        Assert.True(applied.Drift.IsClean, applied.Drift.ToString());

        using var server = Traffic.Serve(topology.Destination,
            "tcp,192.168.12.50,80", "udp,192.168.12.50,53", "udp,192.168.12.50,9001", "tcp,192.168.12.50,7005", "tcp,192.168.12.50,7777", "tcp,192.168.12.51,7777",
            "tcp,fd00:12::50,80", "udp,fd00:12::50,53", "udp,fd00:12::50,9001", "tcp,fd00:12::50,7005", "tcp,fd00:12::50,7777", "tcp,fd00:12::51,7777");

        foreach (var (router, dest, fallback, egress) in new[]
        {
            ("10.128.0.2", "192.168.12.50", "192.168.12.51", "192.168.12.99"),
            ("fd00:128::2", "fd00:12::50", "fd00:12::51", "fd00:12::99"),
        })
        {
            // Mapped ports reach the destination at the remapped port, from the egress address.
            Assert.Equal($"tcp {dest} 80 {egress}", Traffic.Request(topology.Client, "tcp", router, 8080));
            Assert.Equal($"udp {dest} 53 {egress}", Traffic.Request(topology.Client, "udp", router, 5353));
            Assert.Equal($"udp {dest} 9001 {egress}", Traffic.Request(topology.Client, "udp", router, 8001));
            Assert.Equal($"tcp {dest} 7005 {egress}", Traffic.Request(topology.Client, "tcp", router, 7005));
            // Any other port goes to the fallback, port unchanged.
            Assert.Equal($"tcp {fallback} 7777 {egress}", Traffic.Request(topology.Client, "tcp", router, 7777));
        }

        var counters = await backend.ReadCountersAsync(Cancel);
        Assert.Contains(counters, c => c.Packets > 0 && (c.Rule.Contains("--dport 8080", StringComparison.Ordinal) || c.Rule.StartsWith("tcp . 8080 ", StringComparison.Ordinal)));
        Assert.Contains(counters, c => c.Packets == 0 && c.Rule.EndsWith("drop", StringComparison.OrdinalIgnoreCase));

        // Without a fallback, an unmapped port reaches nothing behind the router, and the router does not route for the cluster side.
        var noFallback = await backend.ApplyAsync(Model(withFallback: false), Cancel);
        Assert.True(noFallback.Drift.IsClean, noFallback.Drift.ToString());
        var seen = server.Lines.Count;
        foreach (var (router, dest, fallback) in new[] { ("10.128.0.2", "192.168.12.50", "192.168.12.51"), ("fd00:128::2", "fd00:12::50", "fd00:12::51") })
        {
            Assert.StartsWith("ERROR", Traffic.Request(topology.Client, "tcp", router, 7777), StringComparison.Ordinal);
            Assert.StartsWith("ERROR", Traffic.Request(topology.Client, "tcp", dest, 7777), StringComparison.Ordinal);
            Assert.StartsWith("ERROR", Traffic.Request(topology.Client, "tcp", fallback, 7777), StringComparison.Ordinal);
            Assert.StartsWith("ERROR", Traffic.Request(topology.Client, "tcp", dest, 80), StringComparison.Ordinal);
        }
        Assert.Equal(seen, server.Lines.Count);
        // ... while mapped ports still work.
        Assert.Equal("tcp 192.168.12.50 80 192.168.12.99", Traffic.Request(topology.Client, "tcp", "10.128.0.2", 8080));

        await backend.CleanupAsync(Cancel);
    }
}
