using RedirectRouter.Agent.Diagnostics;
using static RedirectRouter.Agent.Tests.Diagnostics.DiagSamples;

namespace RedirectRouter.Agent.Tests.Diagnostics;

/// <summary>The verdict on hand-made facts: each fault alone is named; several are ranked root cause first.</summary>
public sealed class DiagAnalyzerTests
{
    private static string[] Codes(DiagFacts facts) => DiagAnalyzer.Analyze(facts).Select(c => c.Code).ToArray();

    private static DiagFacts WithMacvlan(Func<InterfaceFact, InterfaceFact> change) => Healthy with { Interfaces = [change(Macvlan)] };

    [Fact]
    public void AHealthyRouterHasNoCauseAndExitsZero()
    {
        var causes = DiagAnalyzer.Analyze(Healthy);

        Assert.Empty(causes);
        Assert.Equal(0, DiagAnalyzer.ExitCodeOf(causes));
    }

    public static TheoryData<string, string> SingleFaults => new()
    {
        { "no macvlan", CauseCodes.NoMacvlan },
        { "parent missing", CauseCodes.ParentMissing },
        { "parent down", CauseCodes.ParentDown },
        { "parent without carrier", CauseCodes.ParentDown },
        { "parent unknown, lower layer down", CauseCodes.ParentDown },
        { "parent unknown, macvlan without carrier", CauseCodes.ParentDown },
        { "macvlan admin down", CauseCodes.MacvlanDown },
        { "egress ip missing", CauseCodes.EgressIpMissing },
        { "duplicate", CauseCodes.DuplicateEgressIp },
        { "gateway probe unanswered", CauseCodes.GatewayUnreachable },
        { "gateway neighbour failed", CauseCodes.GatewayUnreachable },
        { "default route via another", CauseCodes.DefaultRouteWrong },
        { "default route missing", CauseCodes.DefaultRouteWrong },
        { "forwarding off", CauseCodes.ForwardingOff },
        { "no nat table", CauseCodes.NatRulesMissing },
        { "nat rule missing", CauseCodes.NatRulesMissing },
        { "shadowed", CauseCodes.NatRulesShadowed },
        { "network drift", CauseCodes.NetworkDrift },
        { "rp filter", CauseCodes.ReversePathFilter },
        { "mtu below parent", CauseCodes.MtuMismatch },
        { "mtu differs from config", CauseCodes.MtuMismatch },
        { "agent not ready", CauseCodes.AgentNotReady },
        { "agent unreachable", CauseCodes.AgentUnreachable },
        { "no traffic", CauseCodes.NoTraffic },
    };

    [Theory]
    [MemberData(nameof(SingleFaults))]
    public void EachFaultAloneIsTheOnlyCause(string fault, string code)
    {
        var facts = Inject(Healthy, fault);

        var causes = DiagAnalyzer.Analyze(facts);

        Assert.Equal([code], causes.Select(c => c.Code));
        Assert.Equal(1, DiagAnalyzer.ExitCodeOf(causes));
        Assert.All(causes, c => Assert.False(string.IsNullOrWhiteSpace(c.NextStep)));
    }

    [Fact]
    public void AParentInANamespaceThatWasNotInspectedIsNoCauseWhileTheMacvlanHasCarrier()
    {
        var facts = WithMacvlan(m => m with { Parent = new ParentFact(3, null, false, null) });

        Assert.Empty(DiagAnalyzer.Analyze(facts));
    }

    [Fact]
    public void RootCausesComeFirstAndErrorsBeforeWarnings()
    {
        var facts = Inject(Inject(Inject(Inject(Healthy, "no traffic"), "forwarding off"), "default route missing"), "egress ip missing");

        Assert.Equal([CauseCodes.EgressIpMissing, CauseCodes.DefaultRouteWrong, CauseCodes.ForwardingOff, CauseCodes.NoTraffic], Codes(facts));
    }

    [Fact]
    public void AMissingMacvlanIsNotAlsoReportedAsAMissingAddressOrRoute()
    {
        var facts = Inject(Inject(Healthy, "no macvlan"), "forwarding off") with
        {
            Addresses = [new AddressFact("macvlan0", IP("192.168.12.99"), 24, false, false)],
        };

        Assert.Equal([CauseCodes.NoMacvlan, CauseCodes.ForwardingOff], Codes(facts));
    }

    [Fact]
    public void AParentDownIsNotAlsoReportedAsTheMacvlanDown()
    {
        var facts = Inject(Healthy, "parent down") with { Interfaces = [Macvlan with { OperState = "lowerlayerdown", Carrier = false, Parent = Macvlan.Parent! with { AdminUp = false, OperState = "down" } }] };

        Assert.Equal([CauseCodes.ParentDown], Codes(facts));
    }

    [Fact]
    public void AGatewayThatAnswersTheProbeIsReachableWhateverItsOldNeighbourEntry()
    {
        var facts = Healthy with { Gateways = [Healthy.Gateways[0] with { Neighbour = "failed" }] };

        Assert.Empty(Codes(facts));
    }

    [Fact]
    public void WithoutConfigurationAMacvlanWithoutAddressIsMissingItsEgressIP()
    {
        var facts = Healthy with
        {
            Desired = Healthy.Desired with { FromConfig = false, Homes = [Home with { Addresses = [] }] },
            Addresses = [Healthy.Addresses[1]],
        };

        Assert.Equal([CauseCodes.EgressIpMissing], Codes(facts));
    }

    [Fact]
    public void WithNoEgressInterfaceAtAllTheCauseIsNoMacvlan()
    {
        var facts = Healthy with { Interfaces = [], Desired = new DesiredFact(), Gateways = [] };

        Assert.Equal(CauseCodes.NoMacvlan, Codes(facts)[0]);
    }

    [Fact]
    public void EveryCodeIsRankedAndTheRankingIsStable()
    {
        var codes = typeof(CauseCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();

        Assert.Equal(codes.Order(), CauseCodes.Ranked.Order());
        Assert.Equal(CauseCodes.NoMacvlan, CauseCodes.Ranked[1]);
        Assert.Equal(CauseCodes.NoTraffic, CauseCodes.Ranked[^1]);
    }

    internal static DiagFacts Inject(DiagFacts facts, string fault) => fault switch
    {
        "no macvlan" => facts with { Interfaces = [new InterfaceFact { Name = "macvlan0", Home = "home0", Present = false, Parent = new ParentFact(3, "nic0", true, true, true, "up", true, 1500) }] },
        "parent missing" => facts with { Interfaces = [new InterfaceFact { Name = "macvlan0", Home = "home0", Present = false, Parent = new ParentFact(null, "nic0", true, false) }] },
        "parent down" => WithMacvlan(m => m with { Parent = m.Parent! with { AdminUp = false, OperState = "down" } }),
        "parent without carrier" => WithMacvlan(m => m with { Parent = m.Parent! with { Carrier = false, OperState = "down" } }),
        "parent unknown, lower layer down" => WithMacvlan(m => m with { OperState = "lowerlayerdown", Carrier = false, Parent = new ParentFact(3, null, false, null) }),
        "parent unknown, macvlan without carrier" => WithMacvlan(m => m with { OperState = "down", Carrier = false, Parent = new ParentFact(3, null, false, null) }),
        "macvlan admin down" => WithMacvlan(m => m with { AdminUp = false, OperState = "down" }),
        "egress ip missing" => facts with { Addresses = [new AddressFact("macvlan0", IP("192.168.12.99"), 24, false, false), facts.Addresses[1]] },
        "duplicate" => facts with { DuplicateProbes = [new DuplicateProbeFact(IP("192.168.12.99"), "macvlan0", "02:00:00:00:00:66")] },
        "gateway probe unanswered" => facts with { Gateways = [facts.Gateways[0] with { Probe = new ProbeFact(false, null, 500) }] },
        "gateway neighbour failed" => facts with { Gateways = [facts.Gateways[0] with { Neighbour = "failed", Probe = null }] },
        "default route via another" => facts with { Routes = [facts.Routes[0] with { Gateways = [IP("192.168.12.2")], Owned = false, Protocol = 3, Matches = false }, .. facts.Routes.Skip(1)] },
        "default route missing" => facts with { Routes = [.. facts.Routes.Skip(1)] },
        "forwarding off" => facts with { Sysctls = facts.Sysctls with { Ipv4Forwarding = 0 } },
        "no nat table" => facts with { Netfilter = new NetfilterFact { Backend = "nftables", RulesPresent = false, Drift = new NetfilterDriftFact(["ip redirect_router: table"], [], []) } },
        "nat rule missing" => facts with { Netfilter = facts.Netfilter with { Drift = new NetfilterDriftFact(["ip redirect_router map dnat_ports: tcp . 8080 : 172.16.100.25 . 80"], [], []) } },
        "shadowed" => facts with { Netfilter = facts.Netfilter with { Drift = new NetfilterDriftFact([], [], ["ip foreign chain pre (priority -110): tcp dport 8080 dnat ip to 10.1.1.1"]) } },
        "network drift" => facts with { NetworkDrift = ["add rule 1000: from all fwmark 0x2000 lookup 100"] },
        "rp filter" => facts with
        {
            Sysctls = facts.Sysctls with { RpFilter = [new RpFilterFact("macvlan0", 0), new RpFilterFact("macvlan1", 1)] },
            Desired = facts.Desired with { Destinations = [.. facts.Desired.Destinations, new DesiredDestination(IP("172.16.100.26"), "macvlan1")] },
        },
        "mtu below parent" => WithMacvlan(m => m with { Mtu = 1400 }),
        "mtu differs from config" => facts with { Desired = facts.Desired with { Homes = [Home with { Mtu = 1400 }] } },
        "agent not ready" => facts with { Agent = facts.Agent! with { Ready = false } },
        "agent unreachable" => facts with { Agent = new AgentFact("127.0.0.1:9100", false, null, null, new Dictionary<string, double>(), "connection refused") },
        "no traffic" => facts with { Netfilter = facts.Netfilter with { Rules = [.. facts.Netfilter.Rules.Select(r => r with { Packets = 0, Bytes = 0 })] } },
        _ => throw new ArgumentException(fault),
    };
}
