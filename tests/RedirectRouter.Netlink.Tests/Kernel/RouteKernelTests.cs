using System.Net;
using System.Text.Json;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netlink.Tests.Kernel;

public sealed class RouteKernelTests
{
    private static (TestNamespace Ns, NetlinkHandle Handle, int Left, int Right) TwoLinks()
    {
        var ns = TestNamespace.Create("route");
        try
        {
            ns.Ip("link", "add", "a0", "type", "veth", "peer", "name", "a1");
            ns.Ip("link", "add", "b0", "type", "veth", "peer", "name", "b1");
            foreach (var dev in new[] { "a0", "a1", "b0", "b1" })
            {
                ns.Ip("link", "set", dev, "up");
            }

            ns.Ip("addr", "add", "192.168.1.2/24", "dev", "a0");
            ns.Ip("addr", "add", "192.168.2.2/24", "dev", "b0");
            var handle = NetlinkHandle.OpenIn(ns.Handle);
            return (ns, handle, handle.LinkGetByName("a0")!.Index, handle.LinkGetByName("b0")!.Index);
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    [Fact]
    public void RoutesInMainAndCustomTableAreAddedReplacedAndDeleted()
    {
        var (ns, handle, left, right) = TwoLinks();
        using var _ = ns;
        using var __ = handle;
        var main = new Route { Destination = IPNetwork.Parse("10.50.0.0/16"), Gateway = IPAddress.Parse("192.168.1.1"), OutputInterface = left, Metric = 20 };
        var custom = new Route { Destination = IPNetwork.Parse("0.0.0.0/0"), Gateway = IPAddress.Parse("192.168.2.1"), OutputInterface = right, Table = 1000 };
        handle.RouteAdd(main);
        handle.RouteAdd(custom);

        var mainWitness = ns.IpJson("route", "show", "10.50.0.0/16")[0];
        Assert.Equal("192.168.1.1", mainWitness.GetProperty("gateway").GetString());
        Assert.Equal("a0", mainWitness.GetProperty("dev").GetString());
        Assert.Equal(20, mainWitness.GetProperty("metric").GetInt32());
        var customWitness = ns.IpJson("route", "show", "table", "1000")[0];
        Assert.Equal("default", customWitness.GetProperty("dst").GetString());
        Assert.Equal("192.168.2.1", customWitness.GetProperty("gateway").GetString());

        var listed = handle.RouteList(System.Net.Sockets.AddressFamily.InterNetwork, 1000);
        var route = Assert.Single(listed);
        Assert.Equal(custom.Gateway, route.Gateway);
        Assert.Equal(1000u, route.Table);

        // Replace moves the default route of table 1000 to the other link.
        handle.RouteReplace(custom with { Gateway = IPAddress.Parse("192.168.1.1"), OutputInterface = left });
        Assert.Equal("a0", ns.IpJson("route", "show", "table", "1000")[0].GetProperty("dev").GetString());

        handle.RouteDelete(main);
        Assert.Empty(ns.IpJson("route", "show", "10.50.0.0/16").EnumerateArray());
        var missing = Assert.Throws<NetlinkException>(() => handle.RouteDelete(main));
        Assert.Equal(Errors.ESRCH, missing.Errno);
        Assert.True(missing.IsNotFound);
    }

    [Fact]
    public void MultipathRouteWithTwoWeightedNextHops()
    {
        var (ns, handle, left, right) = TwoLinks();
        using var _ = ns;
        using var __ = handle;
        handle.RouteAdd(new Route
        {
            Destination = IPNetwork.Parse("172.16.100.0/24"),
            Table = 100,
            NextHops = [new NextHop(IPAddress.Parse("192.168.1.1"), left, 1), new NextHop(IPAddress.Parse("192.168.2.1"), right, 3)],
        });

        var witness = ns.IpJson("route", "show", "table", "100")[0];
        var hops = witness.GetProperty("nexthops").EnumerateArray()
            .Select(h => $"{h.GetProperty("gateway").GetString()} {h.GetProperty("dev").GetString()} {h.GetProperty("weight").GetInt32()}")
            .ToArray();
        Assert.Equal(["192.168.1.1 a0 1", "192.168.2.1 b0 3"], hops);

        var listed = Assert.Single(handle.RouteList(System.Net.Sockets.AddressFamily.InterNetwork, 100));
        Assert.Equal([new NextHop(IPAddress.Parse("192.168.1.1"), left, 1), new NextHop(IPAddress.Parse("192.168.2.1"), right, 3)], listed.NextHops);
    }

    [Fact]
    public void IPv6RouteAndOnLinkGateway()
    {
        var (ns, handle, left, _) = TwoLinks();
        using var _ns = ns;
        using var _h = handle;
        ns.Ip("addr", "add", "fd00:1::2/64", "dev", "a0", "nodad");
        handle.RouteAdd(new Route { Destination = IPNetwork.Parse("fd00:99::/48"), Gateway = IPAddress.Parse("fd00:1::1"), OutputInterface = left, Table = 200 });
        // A gateway outside every prefix on the link needs onlink, as the OpenShift script's GW/32 route provides.
        handle.RouteAdd(new Route { Destination = IPNetwork.Parse("0.0.0.0/0"), Gateway = IPAddress.Parse("10.99.99.1"), OutputInterface = left, OnLink = true, Table = 201 });

        Assert.Equal("fd00:1::1", ns.IpJson("-6", "route", "show", "table", "200")[0].GetProperty("gateway").GetString());
        var onlink = ns.IpJson("route", "show", "table", "201")[0];
        Assert.Contains("onlink", onlink.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void DuplicateRouteIsATypedEexistWithTheKernelsText()
    {
        var (ns, handle, left, _) = TwoLinks();
        using var _ns = ns;
        using var _h = handle;
        var route = new Route { Destination = IPNetwork.Parse("10.60.0.0/16"), Gateway = IPAddress.Parse("192.168.1.1"), OutputInterface = left };
        handle.RouteAdd(route);
        var e = Assert.Throws<NetlinkException>(() => handle.RouteAdd(route));
        Assert.Equal(Errors.EEXIST, e.Errno);
        Assert.True(e.IsAlreadyExists);
        Assert.Contains("10.60.0.0/16", e.Request);

        var unreachable = Assert.Throws<NetlinkException>(() =>
            handle.RouteAdd(new Route { Destination = IPNetwork.Parse("10.61.0.0/16"), Gateway = IPAddress.Parse("10.200.0.1"), OutputInterface = left }));
        Assert.Equal(Errors.ENETUNREACH, unreachable.Errno);
        if (handle.Features.ExtendedAck)
        {
            Assert.False(string.IsNullOrEmpty(unreachable.ExtendedAck), "the kernel accepted NETLINK_EXT_ACK, so it explains the error");
        }
    }

    [Fact]
    public void BatchAddsAndDeletesManyRoutesAndReportsTheFailingOne()
    {
        var (ns, handle, left, _) = TwoLinks();
        using var _ns = ns;
        using var _h = handle;
        var routes = Enumerable.Range(0, 1000)
            .Select(i => new Route { Destination = new IPNetwork(new IPAddress([10, 70, (byte)(i >> 8), (byte)i]), 32), OutputInterface = left, Table = 300 })
            .ToArray();
        handle.RouteAddBatch(routes);
        Assert.Equal(1000, ns.Ip("route", "show", "table", "300").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var again = Assert.Throws<NetlinkException>(() => handle.RouteAddBatch([routes[0] with { Table = 301 }, routes[5]]));
        Assert.Equal(Errors.EEXIST, again.Errno);
        Assert.Contains("10.70.0.5/32", again.Request);
        Assert.Single(ns.IpJson("route", "show", "table", "301").EnumerateArray());

        handle.RouteDeleteBatch(routes);
        Assert.Empty(ns.IpJson("route", "show", "table", "300").EnumerateArray());
    }
}
