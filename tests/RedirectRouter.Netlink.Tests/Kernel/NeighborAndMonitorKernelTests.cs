using System.Net;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netlink.Tests.Kernel;

public sealed class NeighborAndMonitorKernelTests
{
    [Fact]
    public void NeighboursAreListedWithTheirState()
    {
        using var ns = TestNamespace.Create("neigh");
        ns.Ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ns.Ip("link", "set", "v0", "up");
        ns.Ip("neigh", "add", "192.168.5.1", "lladdr", "02:00:00:00:00:01", "dev", "v0", "nud", "permanent");
        using var handle = NetlinkHandle.OpenIn(ns.Handle);
        var index = handle.LinkGetByName("v0")!.Index;
        var entry = Assert.Single(handle.NeighborList(System.Net.Sockets.AddressFamily.InterNetwork, index));
        Assert.Equal(IPAddress.Parse("192.168.5.1"), entry.Address);
        Assert.Equal("02:00:00:00:00:01", entry.LinkLayerAddress);
        Assert.Equal(NeighborState.Permanent, entry.State);
    }

    [Fact]
    public async Task MonitorReportsLinkAddressAndRouteChangesMadeByIpWithinOneSecond()
    {
        using var ns = TestNamespace.Create("monitor");
        using var monitor = NetlinkMonitor.Open(NetlinkMonitor.RouterGroups, ns.Handle);

        ns.Ip("link", "add", "m0", "type", "veth", "peer", "name", "m1");
        await ExpectAsync<LinkEvent>(monitor, e => e.Link.Name == "m0" && !e.Deleted);

        ns.Ip("link", "set", "m0", "up");
        ns.Ip("addr", "add", "10.77.0.1/24", "dev", "m0");
        await ExpectAsync<AddressEvent>(monitor, e => e.Address.Address.Equals(IPAddress.Parse("10.77.0.1")) && !e.Deleted);

        ns.Ip("route", "add", "10.78.0.0/16", "via", "10.77.0.254", "table", "55");
        await ExpectAsync<RouteEvent>(monitor, e => e.Route.Destination == IPNetwork.Parse("10.78.0.0/16") && e.Route.Table == 55 && !e.Deleted);

        ns.Ip("rule", "add", "fwmark", "7", "table", "55", "priority", "900");
        await ExpectAsync<RuleEvent>(monitor, e => e.Rule.FwMark == 7 && !e.Deleted);

        ns.Ip("route", "del", "10.78.0.0/16", "table", "55");
        await ExpectAsync<RouteEvent>(monitor, e => e.Route.Destination == IPNetwork.Parse("10.78.0.0/16") && e.Deleted);

        ns.Ip("link", "del", "m0");
        await ExpectAsync<LinkEvent>(monitor, e => e.Link.Name == "m0" && e.Deleted);
    }

    private static async Task ExpectAsync<T>(NetlinkMonitor monitor, Func<T, bool> match) where T : NetlinkEvent
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var seen = new List<NetlinkEvent>();
        try
        {
            while (true)
            {
                var evt = await monitor.Events.ReadAsync(timeout.Token);
                seen.Add(evt);
                if (evt is T typed && match(typed))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no matching {typeof(T).Name} within 1 s; saw: {string.Join("; ", seen)}");
        }
    }
}
