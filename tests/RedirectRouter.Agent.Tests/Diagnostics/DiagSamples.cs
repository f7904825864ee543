using System.Net;
using RedirectRouter.Agent.Diagnostics;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Agent.Tests.Diagnostics;

/// <summary>Hand-made facts of a healthy one-home router (the lab's), to break one thing at a time.</summary>
internal static class DiagSamples
{
    public static readonly DesiredHome Home = new("home0", "macvlan0", "nic0", [new InterfaceAddress(IP("192.168.12.99"), 24)], [IP("192.168.12.1")], null, 254);

    public static InterfaceFact Macvlan { get; } = new()
    {
        Name = "macvlan0",
        Home = "home0",
        Kind = "macvlan",
        Owned = true,
        Mode = "private",
        Mtu = 1500,
        Mac = "02:00:00:00:00:99",
        AdminUp = true,
        OperState = "up",
        Carrier = true,
        Counters = new CountersFact(10, 1000, 12, 1200, 0, 0, 0, 0),
        Parent = new ParentFact(3, "nic0", true, true, true, "up", true, 1500),
    };

    public static DiagFacts Healthy { get; } = new()
    {
        Target = new DiagTarget("/run/netns/router", "netns", "/run/netns/node", "option", "file", "/etc/rr.yaml"),
        Interfaces = [Macvlan],
        ClusterInterface = new InterfaceFact { Name = "eth0", Kind = "veth", Mtu = 1500, AdminUp = true, OperState = "up", Carrier = true },
        Addresses =
        [
            new AddressFact("macvlan0", IP("192.168.12.99"), 24, true, true),
            new AddressFact("eth0", IP("10.128.0.2"), 24, true, null),
        ],
        Routes =
        [
            new RouteFact(254, Net("0.0.0.0/0"), [IP("192.168.12.1")], "macvlan0", 245, IP("192.168.12.99"), true, true),
            new RouteFact(254, Net("192.168.12.1/32"), [], "macvlan0", 245, null, true, true),
            new RouteFact(254, Net("10.128.0.0/24"), [], "eth0", 2, IP("10.128.0.2"), false, null),
        ],
        Rules = [new RuleFact(32766, "ipv4", "from all lookup 254", 254, false, null)],
        NetworkDrift = [],
        Gateways = [new GatewayFact(IP("192.168.12.1"), "macvlan0", "reachable", "02:00:00:00:00:01", new ProbeFact(true, "02:00:00:00:00:01", 1.5))],
        DuplicateProbes = [new DuplicateProbeFact(IP("192.168.12.99"), "macvlan0", null)],
        Netfilter = new NetfilterFact
        {
            Backend = "nftables",
            RulesPresent = true,
            Rules =
            [
                new RuleCounterFact("ip redirect_router map dnat_ports", "tcp . 8080 : 172.16.100.25 . 80", 5, 300),
                new RuleCounterFact("ip redirect_router chain dnat_rules", "iifname \"eth0\" counter dnat ip to meta l4proto . th dport map @dnat_ports", 5, 300),
                new RuleCounterFact("ip redirect_router chain snat_homes", "oifname \"macvlan0\" counter snat ip to 192.168.12.99", 0, 0),
                new RuleCounterFact("ip redirect_router chain forward_filter", "counter drop", 7, 420),
                new RuleCounterFact("ip redirect_router chain input_filter", "iifname \"macvlan0\" counter drop", 3, 180),
            ],
            Drops =
            [
                new DropCountFact("egress", "ipv4", "forward", 7, 420),
                new DropCountFact("cluster", "ipv4", "forward", 0, 0),
                new DropCountFact("egress", "ipv4", "input", 3, 180),
            ],
            Drift = new NetfilterDriftFact([], [], []),
        },
        Conntrack = new ConntrackFact { Available = true, Total = 1, Destinations = [new ConntrackDestinationFact("tcp", "172.16.100.25", 80, 1)] },
        Sysctls = new SysctlFact { Ipv4Forwarding = 1, Ipv6Forwarding = 0, RpFilter = [new RpFilterFact("macvlan0", 0), new RpFilterFact("eth0", 0)] },
        Agent = new AgentFact("127.0.0.1:9100", true, true, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), new Dictionary<string, double> { ["route"] = 1 }, null),
        Desired = new DesiredFact
        {
            FromConfig = true,
            Homes = [Home],
            Destinations = [new DesiredDestination(IP("172.16.100.25"), "macvlan0")],
            ClusterInterface = "eth0",
        },
        Notes = ["a note"],
    };

    public static IPAddress IP(string text) => IPAddress.Parse(text);

    public static IPNetwork Net(string text) => IPNetwork.Parse(text);
}
