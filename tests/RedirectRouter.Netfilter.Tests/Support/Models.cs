using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Netfilter.Tests.Support;

/// <summary>NAT models the tests share.</summary>
internal static class Models
{
    /// <summary>One home, IPv4, every kind of redirect rule, a fallback.</summary>
    public static NatModel SingleHome() => new(
        "eth0",
        [
            new DnatEntry(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("10.7.8.9"), PortRange.Single(80), "main"),
            new DnatEntry(Protocol.Udp, PortRange.Single(53), IPAddress.Parse("10.7.8.9"), null, "main"),
            new DnatEntry(Protocol.Udp, new PortRange(8000, 8002), IPAddress.Parse("10.7.8.9"), new PortRange(9000, 9002), "main"),
            new DnatEntry(Protocol.Tcp, new PortRange(7000, 7010), IPAddress.Parse("10.7.8.9"), null, "main"),
            new DnatEntry(Protocol.Sctp, PortRange.Single(99), IPAddress.Parse("10.7.8.9"), PortRange.Single(99), "main"),
        ],
        [new FallbackDnat(AddressFamily.InterNetwork, IPAddress.Parse("10.7.8.10"), "main")],
        [new SnatEntry("main", "macvlan0", IPAddress.Parse("192.168.12.99"))],
        [new HomeRouting("main", "macvlan0", null, 254)]);

    /// <summary>Two homes (marks), dual stack on the first.</summary>
    public static NatModel MultiHomeDualStack() => new(
        "eth0",
        [
            new DnatEntry(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("10.7.8.9"), PortRange.Single(80), "a"),
            new DnatEntry(Protocol.Tcp, PortRange.Single(9090), IPAddress.Parse("172.16.5.5"), null, "b"),
            new DnatEntry(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("fd00:12::50"), PortRange.Single(80), "a"),
        ],
        [
            new FallbackDnat(AddressFamily.InterNetwork, IPAddress.Parse("10.7.8.10"), "a"),
            new FallbackDnat(AddressFamily.InterNetworkV6, IPAddress.Parse("fd00:12::51"), "a"),
        ],
        [
            new SnatEntry("a", "egress0", IPAddress.Parse("192.168.12.99")),
            new SnatEntry("a", "egress0", IPAddress.Parse("fd00:12::99")),
            new SnatEntry("b", "egress1", IPAddress.Parse("172.16.0.99")),
        ],
        [new HomeRouting("a", "egress0", 0x2000, 100), new HomeRouting("b", "egress1", 0x2001, 101)]);

    /// <summary>N single-port TCP mappings 10000+i -> destination:80+i%1000 (the last one is what traffic tests use).</summary>
    public static NatModel Many(int count, string cluster, IPAddress destination, IPAddress? fallback, string egress, IPAddress source, int firstPort = 10000)
    {
        var dnat = Enumerable.Range(0, count)
            .Select(i => new DnatEntry(Protocol.Tcp, PortRange.Single(firstPort + i), destination, PortRange.Single(1000 + i % 1000), "main"));
        return new NatModel(cluster, dnat.ToValueList(),
            fallback is null ? [] : [new FallbackDnat(fallback.AddressFamily, fallback, "main")],
            [new SnatEntry("main", egress, source)],
            [new HomeRouting("main", egress, null, 254)]);
    }
}
