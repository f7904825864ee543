using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netlink.Model;
using System.Net.Sockets;

namespace RedirectRouter.Agent.Tests.Network;

/// <summary>
/// The reconciler's decisions (what it creates, adopts, leaves alone, the order of its changes, what a failure half
/// way leaves) against an in-memory namespace, so they are pinned without root.
/// </summary>
public sealed class ReconcilerFakeTests
{
    // Two homes, so there are policy rules (one home routes through the main table).
    private const string TwoHomes = """
        homes:
          - name: a
            parent: nic0
            mode: private
            addresses: [192.168.12.99/24, fd00:12::99/64]
            gateways: [192.168.12.1]
          - name: b
            parent: nic1
            interface: egress1
            addresses: [192.168.13.99/24]
            gateways: [192.168.13.1]
        fallback:
          ipv4: 172.16.100.25
        """;

    private static NetworkState Plan(string yaml)
    {
        var result = ConfigLoader.LoadFile(yaml, "test.yaml");
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return Planner.Plan(result.Config!).Network;
    }

    private static NetworkReconciler Reconciler(FakeNetworkDriver driver) =>
        new(driver, NetworkSettings.Default with { DuplicateProbeWindow = TimeSpan.Zero }, NullLoggerFactory.Instance);

    private static int IndexOf(List<string> calls, Func<string, bool> match, bool last = false) =>
        last ? calls.FindLastIndex(c => match(c)) : calls.FindIndex(c => match(c));

    [Fact]
    public void ALinkThatCannotBeMadeIsNamedAsPlannedNotByItsTemporaryName()
    {
        var driver = new FakeNetworkDriver { WithoutNodeNamespace = true };

        var error = Assert.Throws<SetupException>(() => Reconciler(driver).Reconcile(Plan(TwoHomes)));

        Assert.Equal("links", error.Step);
        Assert.StartsWith("links: macvlan0 must be created on nic0", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(NetworkApplier.TemporaryLinkPrefix, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(driver.Links, l => l.Name.StartsWith(NetworkApplier.TemporaryLinkPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void CreatesTheLinkUnderATemporaryNameThenNamesMarksAndRaisesItAndASecondPassDoesNothing()
    {
        var driver = new FakeNetworkDriver();
        var desired = Plan(TwoHomes);
        var reconciler = Reconciler(driver);

        var actions = reconciler.Reconcile(desired);

        Assert.Contains(actions, a => a is CreateLink);
        Assert.Equal(["egress1", "macvlan0"], driver.Links.Select(l => l.Name).Order());
        var link = driver.LinkGetByName("macvlan0")!;
        Assert.Equal("macvlan0", link.Name);
        Assert.Equal(Ownership.LinkAlias, link.Alias);
        Assert.Equal(MacvlanMode.Private, link.MacvlanMode);
        Assert.True(link.IsUp);
        Assert.StartsWith("macvlan add " + NetworkApplier.TemporaryLinkPrefix, driver.Calls[0], StringComparison.Ordinal);
        Assert.StartsWith("link rename", driver.Calls[1], StringComparison.Ordinal);
        Assert.EndsWith("macvlan0 alias " + Ownership.LinkAlias, driver.Calls[1], StringComparison.Ordinal);
        Assert.Equal("link up macvlan0", driver.Calls[2]);

        var made = driver.Calls.Count;
        Assert.Empty(reconciler.Reconcile(desired));
        Assert.Equal(made, driver.Calls.Count);
    }

    [Fact]
    public void OnAddAddressesComeBeforeRoutesAndRoutesBeforeTheRulesThatLookThemUp()
    {
        var driver = new FakeNetworkDriver();
        Reconciler(driver).Reconcile(Plan(TwoHomes));

        var calls = driver.Calls;
        var lastAddress = IndexOf(calls, c => c.StartsWith("address replace", StringComparison.Ordinal), last: true);
        var firstRoute = IndexOf(calls, c => c.StartsWith("route replace", StringComparison.Ordinal));
        var lastRoute = IndexOf(calls, c => c.StartsWith("route replace", StringComparison.Ordinal), last: true);
        var firstRule = IndexOf(calls, c => c.StartsWith("rule add", StringComparison.Ordinal));
        Assert.True(lastAddress >= 0 && firstRoute >= 0 && firstRule >= 0, string.Join("\n", calls));
        Assert.True(lastAddress < firstRoute, string.Join("\n", calls));
        Assert.True(lastRoute < firstRule, string.Join("\n", calls));
        Assert.DoesNotContain(calls, c => c.Contains("delete", StringComparison.Ordinal));
    }

    [Fact]
    public void OnRemovalRulesGoBeforeRoutesBeforeAddressesBeforeTheLink()
    {
        var driver = new FakeNetworkDriver();
        var reconciler = Reconciler(driver);
        reconciler.Reconcile(Plan(TwoHomes));
        driver.Calls.Clear();

        reconciler.Reconcile(new NetworkState([], [], [], []));

        var calls = driver.Calls;
        var lastRule = IndexOf(calls, c => c.StartsWith("rule delete", StringComparison.Ordinal), last: true);
        var firstRoute = IndexOf(calls, c => c.StartsWith("route delete", StringComparison.Ordinal));
        var lastRoute = IndexOf(calls, c => c.StartsWith("route delete", StringComparison.Ordinal), last: true);
        var firstAddress = IndexOf(calls, c => c.StartsWith("address delete", StringComparison.Ordinal));
        var lastAddress = IndexOf(calls, c => c.StartsWith("address delete", StringComparison.Ordinal), last: true);
        var link = IndexOf(calls, c => c == "link delete macvlan0");
        Assert.True(lastRule >= 0 && firstRoute >= 0 && firstAddress >= 0 && link >= 0, string.Join("\n", calls));
        Assert.True(lastRule < firstRoute && lastRoute < firstAddress && lastAddress < link, string.Join("\n", calls));
        Assert.Empty(driver.Links);
        Assert.DoesNotContain(driver.Rules, r => r.Protocol == Ownership.RuleProtocol);
        Assert.Empty(driver.Routes);
    }

    [Fact]
    public void AnExistingOwnedLinkOfTheRightModeIsAdoptedNotRecreated()
    {
        var driver = new FakeNetworkDriver();
        var existing = driver.AddLink("macvlan0", Ownership.LinkAlias, MacvlanMode.Private);

        var actions = Reconciler(driver).Reconcile(Plan(TwoHomes));

        Assert.DoesNotContain(actions, a => a is CreateLink { Link.Name: "macvlan0" } or DeleteLink);
        Assert.Single(driver.Calls, c => c.StartsWith("macvlan add", StringComparison.Ordinal)); // egress1 only
        Assert.DoesNotContain(driver.Calls, c => c.StartsWith("link delete", StringComparison.Ordinal));
        Assert.Equal(existing.Index, driver.LinkGetByName("macvlan0")!.Index);
        Assert.Contains(driver.Addresses, a => a.InterfaceIndex == existing.Index && a.Address.Equals(IPAddress.Parse("192.168.12.99")));
    }

    [Fact]
    public void AnOwnedLinkOfAnotherModeIsDeletedAndMadeAgain()
    {
        var driver = new FakeNetworkDriver();
        var existing = driver.AddLink("macvlan0", Ownership.LinkAlias, MacvlanMode.Bridge);

        Reconciler(driver).Reconcile(Plan(TwoHomes));

        Assert.Equal("link delete macvlan0", driver.Calls[0]);
        Assert.StartsWith("macvlan add", driver.Calls[1], StringComparison.Ordinal);
        var link = driver.LinkGetByName("macvlan0")!;
        Assert.NotEqual(existing.Index, link.Index);
        Assert.Equal(MacvlanMode.Private, link.MacvlanMode);
    }

    [Fact]
    public void AForeignLinkOfTheWantedNameAndModeIsUsedButNeverDeletedOrMarked()
    {
        var driver = new FakeNetworkDriver();
        var foreign = driver.AddLink("macvlan0", alias: null, MacvlanMode.Private);
        var reconciler = Reconciler(driver);

        reconciler.Reconcile(Plan(TwoHomes));
        reconciler.Reconcile(new NetworkState([], [], [], []));

        var link = Assert.Single(driver.Links); // egress1, ours, is gone
        Assert.Equal(foreign.Index, link.Index);
        Assert.Null(link.Alias);
        Assert.DoesNotContain(driver.Calls, c => c == "link delete macvlan0" || c.Contains("rename #" + foreign.Index, StringComparison.Ordinal));
    }

    [Fact]
    public void ForeignObjectsAreLeftAlone()
    {
        var driver = new FakeNetworkDriver();
        var reconciler = Reconciler(driver);
        var desired = Plan(TwoHomes);
        reconciler.Reconcile(desired);
        var macvlan = driver.LinkGetByName("macvlan0")!;
        var ourRule = driver.Rules.First(r => r.Protocol == Ownership.RuleProtocol);
        var other = driver.AddLink("other0", alias: null, mode: null);
        var foreignRoute = new Route { Destination = IPNetwork.Parse("10.99.0.0/16"), Table = 254, Protocol = 4, OutputInterface = macvlan.Index };
        var foreignRouteInOurTable = new Route { Destination = IPNetwork.Parse("10.98.0.0/16"), Table = ourRule.Table, Protocol = 4, OutputInterface = macvlan.Index };
        // Our priority and shape but another protocol, and our protocol at a priority the planner never uses.
        var otherProtocol = ourRule with { Protocol = 4 };
        var otherPriority = new RoutingRule { Family = AddressFamily.InterNetwork, Priority = 5000, Table = ourRule.Table, Protocol = Ownership.RuleProtocol };
        driver.Seed(foreignRoute);
        driver.Seed(foreignRouteInOurTable);
        driver.Seed(otherProtocol);
        driver.Seed(otherPriority);
        driver.Seed(new InterfaceAddress { InterfaceIndex = other.Index, Address = IPAddress.Parse("10.7.0.1"), PrefixLength = 24 });
        driver.Calls.Clear();

        Assert.Empty(reconciler.Reconcile(desired));
        reconciler.Reconcile(new NetworkState([], [], [], []));

        Assert.Contains(driver.Links, l => l.Index == other.Index);
        Assert.Contains(driver.Addresses, a => a.InterfaceIndex == other.Index);
        Assert.Contains(driver.Rules, r => r == otherProtocol);
        Assert.Contains(driver.Rules, r => r == otherPriority);
        Assert.DoesNotContain(driver.Calls, c => c.Contains("10.99.0.0", StringComparison.Ordinal) || c.Contains("10.98.0.0", StringComparison.Ordinal)
            || c == "rule delete 5000" || c.Contains("other0", StringComparison.Ordinal));
        Assert.DoesNotContain(driver.Rules, r => r.Protocol == Ownership.RuleProtocol && r != otherPriority);
    }

    [Fact]
    public void AFailureHalfWayKeepsWhatWasDoneAndTheNextPassDoesOnlyTheRest()
    {
        var driver = new FakeNetworkDriver { FailWhen = c => c.StartsWith("rule add", StringComparison.Ordinal) };
        var reconciler = Reconciler(driver);
        var desired = Plan(TwoHomes);

        var e = Assert.Throws<SetupException>(() => reconciler.Reconcile(desired));

        Assert.Equal("rules", e.Step);
        // Nothing is rolled back: the link, its addresses and routes stay (each step is idempotent).
        Assert.NotNull(driver.LinkGetByName("macvlan0"));
        Assert.NotEmpty(driver.Routes);
        Assert.Equal(3, driver.Addresses.Count);
        Assert.DoesNotContain(driver.Rules, r => r.Protocol == Ownership.RuleProtocol);

        driver.FailWhen = null;
        driver.Calls.Clear();
        var retried = reconciler.Reconcile(desired);

        Assert.NotEmpty(retried);
        Assert.All(retried, a => Assert.IsType<AddRule>(a));
        Assert.All(driver.Calls, c => Assert.StartsWith("rule add", c, StringComparison.Ordinal));
        Assert.Empty(reconciler.Reconcile(desired));
    }

    [Fact]
    public void AFailedNamingRemovesTheTemporaryLinkAndTheNextPassCreatesItAgain()
    {
        var driver = new FakeNetworkDriver { FailWhen = c => c.StartsWith("link rename", StringComparison.Ordinal) };
        var reconciler = Reconciler(driver);
        var desired = Plan(TwoHomes);

        var e = Assert.Throws<SetupException>(() => reconciler.Reconcile(desired));

        Assert.Equal("links", e.Step);
        Assert.Empty(driver.Links);
        Assert.StartsWith("link delete " + NetworkApplier.TemporaryLinkPrefix, driver.Calls[^1], StringComparison.Ordinal);

        driver.FailWhen = null;
        reconciler.Reconcile(desired);
        Assert.All(driver.Links, l => Assert.Equal(Ownership.LinkAlias, l.Alias));
        Assert.Equal(2, driver.Links.Count);
    }

    [Fact]
    public void AnAddressAnotherHostHoldsIsNotClaimedAndNothingAfterItIsDone()
    {
        var driver = new FakeNetworkDriver();
        driver.Conflicts[IPAddress.Parse("192.168.12.99")] = "192.168.12.99 is in use by 02:00:00:00:00:99";
        var reconciler = new NetworkReconciler(driver, NetworkSettings.Default with { DuplicateProbeWindow = TimeSpan.FromMilliseconds(1) }, NullLoggerFactory.Instance);

        var e = Assert.Throws<SetupException>(() => reconciler.Reconcile(Plan(TwoHomes)));

        Assert.Equal("addresses", e.Step);
        Assert.Contains("in use by", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(driver.Addresses, a => a.Address.Equals(IPAddress.Parse("192.168.12.99")));
        Assert.DoesNotContain(driver.Calls, c => c.StartsWith("rule add", StringComparison.Ordinal));
    }
}
