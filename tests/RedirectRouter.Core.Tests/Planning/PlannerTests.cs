using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Planning;
using RedirectRouter.Core.Rendering;
using RedirectRouter.Core.Tests.OpenShift;
using RedirectRouter.Core.Tests.Parsing;

namespace RedirectRouter.Core.Tests.Planning;

public sealed class PlannerTests
{
    [Fact]
    public void OpenShiftEnvironmentPlansWhatTheScriptDoes()
    {
        var (_, result) = ConfigLoader.LoadEnvironment(ScriptRun.Env("192.168.12.99/24", "192.168.12.1", "80 tcp 10.4.5.6\n10.1.2.3", mode: "init"));

        var state = Planner.Plan(result.Config!);

        var link = Assert.Single(state.Network.Links);
        Assert.Equal(new LinkSpec("macvlan0", null, MacvlanMode.Private, null, LinkOrigin.AdoptOrCreate, "default"), link);
        Assert.Equal([new AddressSpec("macvlan0", new InterfaceAddress(IPAddress.Parse("192.168.12.99"), 24))], state.Network.Addresses);
        // ip route add GW/32 dev macvlan0; ip route add default via GW dev macvlan0 (main table).
        Assert.Equal(
            [
                "192.168.12.1/32 dev macvlan0 scope link table main",
                "default via 192.168.12.1 dev macvlan0 src 192.168.12.99 table main",
            ],
            state.Network.Routes.Select(PlanWriter.RouteText));
        Assert.Empty(state.Network.Rules);
        Assert.Equal("eth0", state.Nat.ClusterInterface);
        Assert.Equal([new DnatEntry(Protocol.Tcp, PortRange.Single(80), IPAddress.Parse("10.4.5.6"), null, "default")], state.Nat.Dnat);
        Assert.Equal([new FallbackDnat(AddressFamily.InterNetwork, IPAddress.Parse("10.1.2.3"), "default")], state.Nat.Fallbacks);
        Assert.Equal([new SnatEntry("default", "macvlan0", IPAddress.Parse("192.168.12.99"))], state.Nat.Snat);
        Assert.Null(Assert.Single(state.Nat.Homes).Mark);
    }

    [Fact]
    public void TwoHomesGetTheirOwnTablesMarksAndRules()
    {
        var config = ConfigLoader.LoadFile(NativeConfigParserTests.TwoHomes, "two.yaml").Config!;

        var state = Planner.Plan(config);

        Assert.Equal(["macvlan0", "egress1"], state.Network.Links.Select(l => l.Name));
        Assert.Equal(
            [
                new HomeRouting("corp", "macvlan0", 0x2000, 100),
                new HomeRouting("dmz", "egress1", 0x2001, 101),
            ],
            state.Nat.Homes);
        var routes = state.Network.Routes.Select(PlanWriter.RouteText).ToList();
        Assert.Contains("192.0.2.0/24 dev macvlan0 scope link src 192.0.2.10 table 100", routes);
        Assert.Contains("default via 192.0.2.1 dev macvlan0 src 192.0.2.10 table 100", routes);
        Assert.Contains("default via 192.0.2.1 dev macvlan0 src 192.0.2.10 table main", routes);
        Assert.Contains("198.51.100.0/24 dev macvlan0 nexthop via 192.0.2.254 weight 3 nexthop via 192.0.2.253 weight 1 src 192.0.2.10 metric 50 table 100", routes);
        Assert.Contains("2001:db8:99::/48 dev egress1 nexthop via 2001:db8:2::fe weight 1 nexthop via 2001:db8:2::fd weight 1 src 2001:db8:2::10 table 101", routes);
        Assert.Contains("-6 default via 2001:db8:2::1 dev egress1 src 2001:db8:2::10 table 101", routes);
        Assert.DoesNotContain(routes, r => r.Contains("egress1", StringComparison.Ordinal) && r.EndsWith("table main", StringComparison.Ordinal));
        Assert.Contains(new PolicyRule(1001, AddressFamily.InterNetworkV6, 0x2001, null, 101), state.Network.Rules);
        Assert.Contains(new PolicyRule(1100, AddressFamily.InterNetwork, null, new IPNetwork(IPAddress.Parse("192.0.2.10"), 32), 100), state.Network.Rules);
        Assert.Equal(["corp", "dmz", "dmz"], state.Nat.Dnat.Select(d => d.Home));
        Assert.Equal(["corp", "dmz"], state.Nat.Fallbacks.Select(f => f.Home));
        Assert.Equal(4, state.Nat.Snat.Count);
    }

    [Fact]
    public void PlanningIsDeterministic()
    {
        var first = Planner.Plan(ConfigLoader.LoadFile(NativeConfigParserTests.TwoHomes, "a.yaml").Config!);
        var second = Planner.Plan(ConfigLoader.LoadFile(NativeConfigParserTests.TwoHomes, "b.yaml").Config!);

        Assert.Equal(first, second);
        Assert.Equal(PlanWriter.ToJson(first), PlanWriter.ToJson(second));
    }
}
