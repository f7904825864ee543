using System.Net;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Planning;
using RedirectRouter.Core.Tests.Parsing;

namespace RedirectRouter.Core.Tests.Planning;

public sealed class StateDifferTests
{
    private static NetworkState Desired => Planner.Plan(ConfigLoader.LoadFile(NativeConfigParserTests.TwoHomes, "two.yaml").Config!).Network;

    [Fact]
    public void NothingToDoWhenObservedEqualsDesired()
    {
        Assert.Empty(StateDiffer.Diff(Desired, Desired));
    }

    [Fact]
    public void FromNothingEverythingIsCreatedLinksThenAddressesThenRoutesThenRules()
    {
        var actions = StateDiffer.Diff(Desired, NetworkState.Empty);

        var kinds = actions.Select(a => a.GetType().Name).ToList();
        Assert.Equal(Desired.Links.Count + Desired.Addresses.Count + Desired.Routes.Count + Desired.Rules.Count, actions.Count);
        Assert.Equal(kinds.OrderBy(k => Array.IndexOf(["CreateLink", "AddAddress", "AddRoute", "AddRule"], k)), kinds);
        Assert.Equal(0, kinds.IndexOf("CreateLink"));
    }

    [Fact]
    public void ExtraStateIsDeletedRulesThenRoutesThenAddressesThenLinksAndAdoptedLinksAreKept()
    {
        var stray = new LinkSpec("old0", "eth9", MacvlanMode.Bridge, null, LinkOrigin.Create, "old");
        var adopted = new LinkSpec("eth5", null, MacvlanMode.Private, null, LinkOrigin.Adopt, "x");
        var strayAddress = new AddressSpec("old0", new InterfaceAddress(IPAddress.Parse("10.9.9.9"), 24));
        var strayRoute = new RouteEntry(100, new IPNetwork(IPAddress.Parse("10.99.0.0"), 16), "macvlan0", [new NextHop(IPAddress.Parse("192.0.2.99"))], null, RouteScope.Universe, null);
        var strayRule = new PolicyRule(999, System.Net.Sockets.AddressFamily.InterNetwork, 7, null, 100);
        var observed = Desired with
        {
            Links = Desired.Links.Append(stray).Append(adopted).ToValueList(),
            Addresses = Desired.Addresses.Append(strayAddress).ToValueList(),
            Routes = Desired.Routes.Append(strayRoute).ToValueList(),
            Rules = Desired.Rules.Append(strayRule).ToValueList(),
        };

        var actions = StateDiffer.Diff(Desired, observed);

        Assert.Equal<ReconcileAction>([new DeleteRule(strayRule), new DeleteRoute(strayRoute), new DeleteAddress(strayAddress), new DeleteLink(stray)], actions);
    }

    [Fact]
    public void ChangedRoutesAreReplacedAndADownLinkIsBroughtUpWithItsMtu()
    {
        var desired = Desired;
        var route = desired.Routes.First(r => r.NextHops.Count == 2);
        var changed = route with { NextHops = [route.NextHops[0]] };
        var observed = desired with
        {
            Links = desired.Links.Select(l => l.Name == "macvlan0" ? l with { Up = false, Mtu = 1500 } : l).ToValueList(),
            Routes = desired.Routes.Select(r => r == route ? changed : r).ToValueList(),
        };

        var actions = StateDiffer.Diff(desired, observed);

        Assert.Equal<ReconcileAction>([new SetLinkMtu("macvlan0", 1400), new SetLinkUp("macvlan0"), new ReplaceRoute(route)], actions);
    }

    [Fact]
    public void AMacvlanWithAnotherModeIsDeletedFirstThenRecreatedWithItsAddressesAndRoutes()
    {
        var desired = Desired;
        var observed = desired with { Links = desired.Links.Select(l => l.Name == "egress1" ? l with { Mode = MacvlanMode.Bridge } : l).ToValueList() };

        var actions = StateDiffer.Diff(desired, observed);

        Assert.IsType<DeleteLink>(actions[0]);
        Assert.Equal(new CreateLink(desired.Links[1]), actions[1]);
        Assert.Equal(desired.Addresses.Count(a => a.Interface == "egress1"), actions.OfType<AddAddress>().Count());
        Assert.Equal(desired.Routes.Count(r => r.Interface == "egress1"), actions.OfType<AddRoute>().Count());
        Assert.Empty(actions.OfType<AddRule>());
    }

    [Fact]
    public void AMissingAdoptedInterfaceIsReportedNotCreated()
    {
        var desired = NetworkState.Empty with { Links = [new LinkSpec("eth1", null, MacvlanMode.Private, null, LinkOrigin.Adopt, "a")] };

        Assert.Equal<ReconcileAction>([new AdoptedLinkMissing("eth1")], StateDiffer.Diff(desired, NetworkState.Empty));
    }
}
