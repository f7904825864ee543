using System.Net;
using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Tests.Codec;

/// <summary>What we encode decodes back to the same object (the kernel answers in the same format).</summary>
public sealed class RoundTripTests
{
    private static T RoundTrip<TIn, T>(TIn value, MessageBodyWriter<TIn> write, PayloadDecoder<T> decode) where T : class
    {
        var buffer = new byte[4096];
        var writer = new NetlinkMessageWriter(buffer);
        var message = writer.BeginMessage(1, NetlinkFlags.Request, 1);
        write(ref writer, value);
        writer.EndMessage(message);
        var reader = new NetlinkMessageReader(writer.Written);
        Assert.True(reader.TryRead(out _, out var payload));
        return decode(payload) ?? throw new Xunit.Sdk.XunitException("decoder returned null");
    }

    public static TheoryData<string> Routes() =>
    [
        "10.10.0.0/16 via 192.168.1.1 dev 3 table 100 metric 5",
        "0.0.0.0/0 via 192.168.12.1 dev 7 onlink",
        "192.168.12.1/32 dev 7",
        "fd00:1::/64 via fd00::1 dev 2 table 4000 metric 1024",
        "10.20.0.0/24 multipath 192.168.1.1@3w1 192.168.2.1@4w200",
    ];

    [Theory]
    [MemberData(nameof(Routes))]
    public void RouteRoundTrips(string text)
    {
        var route = ParseRoute(text);
        var decoded = RoundTrip(route, static (ref w, r) => RouteCodec.WriteNew(ref w, r), RouteCodec.Decode);
        Assert.Equal(route.Destination, decoded.Destination);
        Assert.Equal(route.Gateway, decoded.Gateway);
        Assert.Equal(route.OutputInterface, decoded.OutputInterface);
        Assert.Equal(route.Table, decoded.Table);
        Assert.Equal(route.Metric, decoded.Metric);
        Assert.Equal(route.OnLink, decoded.OnLink);
        Assert.Equal(route.EffectiveScope, decoded.Scope);
        Assert.Equal(route.NextHops, decoded.NextHops);
    }

    [Fact]
    public void LinkAddDecodesAsTheLinkItDescribes()
    {
        var spec = new MacvlanLinkSpec { Name = "macvlan0", ParentIndex = 12, Mode = MacvlanMode.Vepa, Mtu = 9000 };
        var link = RoundTrip(spec, static (ref w, s) => LinkCodec.WriteAdd(ref w, s), LinkCodec.Decode);
        Assert.Equal("macvlan0", link.Name);
        Assert.Equal("macvlan", link.Kind);
        Assert.Equal(MacvlanMode.Vepa, link.MacvlanMode);
        Assert.Equal(12, link.ParentIndex);
        Assert.Equal(9000, link.Mtu);
    }

    [Theory]
    [InlineData("10.1.2.3", 24, AddressFlags.None)]
    [InlineData("fd00::abcd", 64, AddressFlags.NoDad | AddressFlags.NoPrefixRoute)]
    public void AddressRoundTrips(string ip, int prefix, AddressFlags flags)
    {
        var address = new InterfaceAddress { InterfaceIndex = 9, Address = IPAddress.Parse(ip), PrefixLength = prefix, Flags = flags, Label = null };
        var decoded = RoundTrip(address, static (ref w, a) => AddressCodec.Write(ref w, a), AddressCodec.Decode);
        Assert.Equal(address, decoded);
    }

    [Fact]
    public void RuleRoundTrips()
    {
        var rule = new RoutingRule
        {
            Family = System.Net.Sockets.AddressFamily.InterNetworkV6,
            Priority = 30000,
            Source = IPNetwork.Parse("fd00:12::/64"),
            Destination = IPNetwork.Parse("fd00:99::/48"),
            FwMark = 0x100,
            FwMask = 0xff00,
            Table = 70000,
            InputInterface = "eth0",
            OutputInterface = "macvlan0",
            Invert = true,
        };
        var decoded = RoundTrip(rule, static (ref w, r) => RuleCodec.Write(ref w, r), RuleCodec.Decode);
        Assert.Equal(rule, decoded);
    }

    [Fact]
    public void PrefixClearsHostBits()
    {
        Assert.Equal(IPNetwork.Parse("10.1.0.0/16"), Prefix.Create(IPAddress.Parse("10.1.2.3"), 16));
        Assert.Equal(IPNetwork.Parse("fd00::/8"), Prefix.Create(IPAddress.Parse("fdff::1"), 8));
        Assert.Throws<NetlinkParseException>(() => Prefix.Create(IPAddress.Parse("10.0.0.0"), 33));
    }

    // A compact notation for test routes: "DEST [via GW] [dev N] [table T] [metric M] [onlink] [multipath GW@DEVwWEIGHT...]".
    private static Route ParseRoute(string text)
    {
        var parts = text.Split(' ');
        var route = new Route { Destination = IPNetwork.Parse(parts[0]) };
        for (var i = 1; i < parts.Length; i++)
        {
            route = parts[i] switch
            {
                "via" => route with { Gateway = IPAddress.Parse(parts[++i]) },
                "dev" => route with { OutputInterface = int.Parse(parts[++i]) },
                "table" => route with { Table = uint.Parse(parts[++i]) },
                "metric" => route with { Metric = uint.Parse(parts[++i]) },
                "onlink" => route with { OnLink = true },
                "multipath" => route with { NextHops = parts[(i + 1)..].Select(ParseHop).ToArray() },
                _ => route,
            };
            if (parts[i] == "multipath")
            {
                break;
            }
        }

        return route;
    }

    private static NextHop ParseHop(string text)
    {
        var at = text.Split('@');
        var dw = at[1].Split('w');
        return new NextHop(IPAddress.Parse(at[0]), int.Parse(dw[0]), int.Parse(dw[1]));
    }
}
