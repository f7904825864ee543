using System.Net;
using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Tests.Codec;

/// <summary>
/// Every kind of request we send, byte for byte. The expected bytes were laid out by hand from the
/// uapi structures (little-endian host fields, network-order addresses, 4-byte alignment).
/// </summary>
public sealed class GoldenMessageTests
{
    private const NetlinkFlags CreateExclusive = NetlinkFlags.Request | NetlinkFlags.Ack | NetlinkFlags.Create | NetlinkFlags.Exclusive;
    private const NetlinkFlags CreateReplace = NetlinkFlags.Request | NetlinkFlags.Ack | NetlinkFlags.Create | NetlinkFlags.Replace;

    private static string Build<T>(ushort type, NetlinkFlags flags, uint sequence, T state, MessageBodyWriter<T> body)
    {
        var buffer = new byte[4096];
        var writer = new NetlinkMessageWriter(buffer);
        var message = writer.BeginMessage(type, flags, sequence);
        body(ref writer, state);
        writer.EndMessage(message);
        return Hex.Format(writer.Written);
    }

    [Fact]
    public void MacvlanAdd()
    {
        var spec = new MacvlanLinkSpec { Name = "mv0", ParentIndex = 2, Mode = MacvlanMode.Private, Mtu = 1400 };
        var actual = Build(RtmType.NewLink, CreateExclusive, 1, spec, static (ref w, s) => LinkCodec.WriteAdd(ref w, s));
        var expected = Hex.Parse("""
            54000000 1000 0506 01000000 00000000
            00 00 0000 00000000 00000000 00000000
            0800 0300 6d763000
            0800 0400 78050000
            0800 0500 02000000
            1c00 1200
              0c00 0100 6d6163766c616e00
              0c00 0200
                0800 0100 01000000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void NamespaceIdByDescriptor()
    {
        // RTM_GETNSID (90), NLM_F_REQUEST|NLM_F_ACK; rtgenmsg padded to 4; NETNSA_FD (3) = 7.
        var actual = Build(RtmType.GetNsId, NetlinkFlags.Request | NetlinkFlags.Ack, 1, 7, static (ref w, fd) => NsIdCodec.WriteGetByFd(ref w, fd));
        var expected = Hex.Parse("""
            1c000000 5a00 0500 01000000 00000000
            00 00 0000
            0800 0300 07000000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void VethAddWithNestedPeer()
    {
        var spec = new VethLinkSpec { Name = "a", PeerName = "b" };
        var actual = Build(RtmType.NewLink, CreateExclusive, 1, spec, static (ref w, s) => LinkCodec.WriteAdd(ref w, s));
        var expected = Hex.Parse("""
            58000000 1000 0506 01000000 00000000
            00 00 0000 00000000 00000000 00000000
            0600 0300 6100 0000
            3000 1200
              0900 0100 76657468 00 000000
              2000 0200
                1c00 0100
                  00 00 0000 00000000 00000000 00000000
                  0600 0300 6200 0000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void LinkSetUp()
    {
        var change = new LinkChange(4) { Flags = InterfaceFlags.Up, FlagsMask = InterfaceFlags.Up };
        var actual = Build(RtmType.NewLink, NetlinkFlags.Request | NetlinkFlags.Ack, 9, change, static (ref w, c) => LinkCodec.WriteChange(ref w, c));
        var expected = Hex.Parse("""
            20000000 1000 0500 09000000 00000000
            00 00 0000 04000000 01000000 01000000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void AddressAddIPv6NoDad()
    {
        var address = new InterfaceAddress { InterfaceIndex = 5, Address = IPAddress.Parse("fd00::1"), PrefixLength = 64, Flags = AddressFlags.NoDad };
        var actual = Build(RtmType.NewAddr, CreateExclusive, 2, address, static (ref w, a) => AddressCodec.Write(ref w, a));
        var expected = Hex.Parse("""
            48000000 1400 0506 02000000 00000000
            0a 40 02 00 05000000
            1400 0200 fd000000000000000000000000000001
            1400 0100 fd000000000000000000000000000001
            0800 0800 02000000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void AddressAddIPv4()
    {
        var address = new InterfaceAddress { InterfaceIndex = 3, Address = IPAddress.Parse("192.168.12.99"), PrefixLength = 32 };
        var actual = Build(RtmType.NewAddr, CreateReplace, 4, address, static (ref w, a) => AddressCodec.Write(ref w, a));
        var expected = Hex.Parse("""
            28000000 1400 0505 04000000 00000000
            02 20 00 00 03000000
            0800 0200 c0a80c63
            0800 0100 c0a80c63
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void MultipathRouteWithWeights()
    {
        var route = new Route
        {
            Destination = IPNetwork.Parse("10.10.0.0/16"),
            Table = 100,
            Metric = 10,
            NextHops = [new NextHop(IPAddress.Parse("192.168.1.1"), 3, 1), new NextHop(IPAddress.Parse("192.168.2.1"), 4, 3)],
        };
        var actual = Build(RtmType.NewRoute, CreateReplace, 7, route, static (ref w, r) => RouteCodec.WriteNew(ref w, r));
        var expected = Hex.Parse("""
            58000000 1800 0505 07000000 00000000
            02 10 00 00 64 03 00 01 00000000
            0800 0f00 64000000
            0800 0100 0a0a0000
            0800 0600 0a000000
            2400 0900
              1000 00 00 03000000
                0800 0500 c0a80101
              1000 00 02 04000000
                0800 0500 c0a80201
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void OnLinkGatewayRouteInMainTable()
    {
        var route = new Route { Destination = IPNetwork.Parse("0.0.0.0/0"), Gateway = IPAddress.Parse("192.168.12.1"), OutputInterface = 3, OnLink = true };
        var actual = Build(RtmType.NewRoute, CreateExclusive, 8, route, static (ref w, r) => RouteCodec.WriteNew(ref w, r));
        var expected = Hex.Parse("""
            34000000 1800 0506 08000000 00000000
            02 00 00 00 fe 03 00 01 04000000
            0800 0f00 fe000000
            0800 0500 c0a80c01
            0800 0400 03000000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void RouteDeleteLeavesProtocolTypeAndScopeWild()
    {
        var route = new Route { Destination = IPNetwork.Parse("0.0.0.0/0"), Gateway = IPAddress.Parse("10.0.0.1") };
        var actual = Build(RtmType.DelRoute, NetlinkFlags.Request | NetlinkFlags.Ack, 3, route, static (ref w, r) => RouteCodec.WriteDelete(ref w, r));
        var expected = Hex.Parse("""
            2c000000 1900 0500 03000000 00000000
            02 00 00 00 fe 00 ff 00 00000000
            0800 0f00 fe000000
            0800 0500 0a000001
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void RuleWithFwMarkAndMask()
    {
        var rule = new RoutingRule { Family = System.Net.Sockets.AddressFamily.InterNetwork, Priority = 1000, FwMark = 0x10, FwMask = 0xff, Table = 100 };
        var actual = Build(RtmType.NewRule, CreateExclusive, 3, rule, static (ref w, r) => RuleCodec.Write(ref w, r));
        var expected = Hex.Parse("""
            3c000000 2000 0506 03000000 00000000
            02 00 00 00 64 00 00 01 00000000
            0800 0600 e8030000
            0800 0a00 10000000
            0800 1000 ff000000
            0800 0f00 64000000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void RuleFromPrefix()
    {
        var rule = new RoutingRule { Family = System.Net.Sockets.AddressFamily.InterNetwork, Priority = 1001, Source = IPNetwork.Parse("10.9.0.0/16"), Table = 101 };
        var actual = Build(RtmType.NewRule, CreateExclusive, 3, rule, static (ref w, r) => RuleCodec.Write(ref w, r));
        var expected = Hex.Parse("""
            34000000 2000 0506 03000000 00000000
            02 00 10 00 65 00 00 01 00000000
            0800 0600 e9030000
            0800 0200 0a090000
            0800 0f00 65000000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void RouteDumpRequest()
    {
        var actual = Build(RtmType.GetRoute, NetlinkFlags.Request | NetlinkFlags.Dump, 5, AddressFamily.Inet6, static (ref w, f) => RouteCodec.WriteDump(ref w, f));
        var expected = Hex.Parse("""
            1c000000 1a00 0103 05000000 00000000
            0a 00 00 00 00 00 00 00 00000000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void LinkGetByNameRequest()
    {
        var actual = Build(RtmType.GetLink, NetlinkFlags.Request | NetlinkFlags.Ack, 6, "eth0", static (ref w, n) => LinkCodec.WriteSelector(ref w, 0, n));
        var expected = Hex.Parse("""
            2c000000 1200 0500 06000000 00000000
            00 00 0000 00000000 00000000 00000000
            0900 0300 65746830 00 000000
            """);
        Assert.Equal(Hex.Format(expected), actual);
    }

    [Fact]
    public void NestedLengthsArePatchedEvenWhenDeep()
    {
        var buffer = new byte[64];
        var writer = new NetlinkMessageWriter(buffer);
        var outer = writer.BeginNested(1);
        var inner = writer.BeginNested(2);
        writer.WriteAttributeByte(3, 0xaa);
        writer.EndNested(inner);
        writer.EndNested(outer);
        Assert.Equal("10000100" + "0c000200" + "05000300" + "aa000000", Hex.Format(writer.Written));
    }

    [Fact]
    public void WriterRefusesToOverflowItsBuffer()
    {
        var buffer = new byte[8];
        var thrown = Record.Exception(() =>
        {
            var writer = new NetlinkMessageWriter(buffer);
            writer.WriteAttributeString(3, "a-long-interface-name");
        });
        Assert.IsType<InvalidOperationException>(thrown);
    }
}
