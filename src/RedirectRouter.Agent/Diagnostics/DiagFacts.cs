using System.Net;
using System.Text.Json.Serialization;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// Everything <c>redirect-router diag</c> read about one router, as plain values: the pure analyzer
/// (<see cref="DiagAnalyzer"/>) turns it into ranked causes, the writers into text or JSON. A null
/// value means "not known" (not read, or not readable), never "false".
/// </summary>
public sealed record DiagFacts
{
    /// <summary>Which namespace was inspected, and how the parent's namespace and the desired state were found.</summary>
    public required DiagTarget Target { get; init; }

    /// <summary>The egress interfaces: every macvlan in the namespace, those the agent owns, and those the configuration names.</summary>
    public IReadOnlyList<InterfaceFact> Interfaces { get; init; } = [];

    /// <summary>The cluster-facing interface (client traffic arrives there); null if absent.</summary>
    public InterfaceFact? ClusterInterface { get; init; }

    /// <summary>Global addresses of the egress and cluster interfaces, plus desired addresses that are missing.</summary>
    public IReadOnlyList<AddressFact> Addresses { get; init; } = [];

    /// <summary>Routes of the main table and of the home tables (the local table and link-local IPv6 routes left out).</summary>
    public IReadOnlyList<RouteFact> Routes { get; init; } = [];

    /// <summary>Policy routing rules (both families).</summary>
    public IReadOnlyList<RuleFact> Rules { get; init; } = [];

    /// <summary>What the agent would change to reach the desired state, in iproute2 words; null without a desired state.</summary>
    public IReadOnlyList<string>? NetworkDrift { get; init; }

    /// <summary>Each gateway with its neighbour entry and, with <c>--probe</c>, an active check.</summary>
    public IReadOnlyList<GatewayFact> Gateways { get; init; } = [];

    /// <summary>With <c>--probe</c>: an ARP probe for each IPv4 egress address (RFC 5227); empty without it.</summary>
    public IReadOnlyList<DuplicateProbeFact> DuplicateProbes { get; init; } = [];

    /// <summary>The NAT and filter ruleset.</summary>
    public NetfilterFact Netfilter { get; init; } = new();

    /// <summary>Connection tracking entries per destination.</summary>
    public ConntrackFact Conntrack { get; init; } = new();

    /// <summary>Forwarding and reverse-path filter settings.</summary>
    public SysctlFact Sysctls { get; init; } = new();

    /// <summary>The agent's own health, when its endpoint was given; null otherwise.</summary>
    public AgentFact? Agent { get; init; }

    /// <summary>What the desired state says (from the configuration), or what was inferred from the kernel.</summary>
    public DesiredFact Desired { get; init; } = new();

    /// <summary>Things the reader of the report should know that are not faults (unknown parent namespace, no configuration, ...).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>The inspected namespace.</summary>
/// <param name="Namespace">Its path (<c>/proc/PID/ns/net</c>, <c>/run/netns/NAME</c>, or diag's own).</param>
/// <param name="SelectedBy"><c>own</c>, <c>netns</c> or <c>pid</c>.</param>
/// <param name="HostNamespace">Where the parent NICs were looked up; null when unknown.</param>
/// <param name="HostNamespaceSource"><c>option</c> (--host-netns), <c>config</c> (settings.hostNetns or EGRESS_ROUTER_HOST_NETNS), <c>diag-namespace</c> (diag runs on the node side), or <c>unknown</c>.</param>
/// <param name="Config">Where the desired state came from: <c>file</c>, <c>environment</c>, <c>pid-environment</c> or <c>none</c>.</param>
/// <param name="ConfigPath">The configuration file, when one was read.</param>
public sealed record DiagTarget(string Namespace, string SelectedBy, string? HostNamespace, string HostNamespaceSource, string Config, string? ConfigPath);

/// <summary>Packet and byte counters of a link.</summary>
public sealed record CountersFact(ulong RxPackets, ulong RxBytes, ulong TxPackets, ulong TxBytes, ulong RxErrors, ulong TxErrors, ulong RxDropped, ulong TxDropped);

/// <summary>The parent NIC of a macvlan, as found in the host namespace (or the router's, for a parent in the same namespace).</summary>
/// <param name="Index">The parent's interface index (in the parent's namespace).</param>
/// <param name="Name">Its name; null when it could not be looked up.</param>
/// <param name="NamespaceKnown">Whether the namespace the parent lives in was available to look it up.</param>
/// <param name="Found">Whether it was found there (null when the namespace was not known).</param>
public sealed record ParentFact(int? Index, string? Name, bool NamespaceKnown, bool? Found, bool? AdminUp = null, string? OperState = null, bool? Carrier = null, int? Mtu = null);

/// <summary>One interface.</summary>
public sealed record InterfaceFact
{
    /// <summary>The interface name.</summary>
    public required string Name { get; init; }

    /// <summary>The home it serves (from the configuration), if known.</summary>
    public string? Home { get; init; }

    /// <summary>Whether it exists.</summary>
    public bool Present { get; init; } = true;

    /// <summary>Link kind (<c>macvlan</c>, <c>veth</c>, ...).</summary>
    public string? Kind { get; init; }

    /// <summary>Whether the agent created it (alias <c>redirect-router</c>).</summary>
    public bool Owned { get; init; }

    /// <summary>The macvlan mode (private, bridge, vepa, passthru).</summary>
    public string? Mode { get; init; }

    /// <summary>The MTU.</summary>
    public int? Mtu { get; init; }

    /// <summary>The MAC address.</summary>
    public string? Mac { get; init; }

    /// <summary>IFF_UP.</summary>
    public bool? AdminUp { get; init; }

    /// <summary>The operational state, lower case (<c>up</c>, <c>down</c>, <c>lowerlayerdown</c>, ...).</summary>
    public string? OperState { get; init; }

    /// <summary>Carrier.</summary>
    public bool? Carrier { get; init; }

    /// <summary>The kernel's counters.</summary>
    public CountersFact? Counters { get; init; }

    /// <summary>The parent (macvlans only).</summary>
    public ParentFact? Parent { get; init; }
}

/// <summary>An address on an interface.</summary>
/// <param name="Matches">True when the desired state has it, false when it does not (or it is desired but missing: <paramref name="Present"/> false); null without a desired state.</param>
public sealed record AddressFact(string Interface, IPAddress Address, int PrefixLength, bool Present, [property: JsonPropertyName("matchesDesired")] bool? Matches);

/// <summary>A route.</summary>
/// <param name="Table">The routing table (254 = main).</param>
/// <param name="Destination">CIDR (<c>0.0.0.0/0</c> for the default).</param>
/// <param name="Gateways">The next hops' gateways (empty for a direct route).</param>
/// <param name="Device">The output interface name.</param>
/// <param name="Protocol">The route protocol number (245 = the agent's).</param>
/// <param name="Owned">Made by the agent (protocol 245).</param>
/// <param name="Matches">Whether the desired state has exactly this route; null without a desired state.</param>
public sealed record RouteFact(uint Table, IPNetwork Destination, IReadOnlyList<IPAddress> Gateways, string? Device, int Protocol, IPAddress? PreferredSource, bool Owned, [property: JsonPropertyName("matchesDesired")] bool? Matches)
{
    /// <summary>The main routing table.</summary>
    public const uint MainTable = 254;

    /// <summary>A table as iproute2 names it: <c>main</c> or its number.</summary>
    public static string TableName(uint table) => table == MainTable ? "main" : table.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A policy routing rule.</summary>
public sealed record RuleFact(uint Priority, string Family, string Text, uint Table, bool Owned, [property: JsonPropertyName("matchesDesired")] bool? Matches);

/// <summary>A gateway of a home.</summary>
/// <param name="Neighbour">The neighbour entry's state, lower case (<c>reachable</c>, <c>stale</c>, <c>delay</c>, <c>probe</c>, <c>failed</c>, <c>incomplete</c>, <c>permanent</c>, <c>noarp</c>), or <c>none</c>.</param>
/// <param name="Probe">With <c>--probe</c>: whether it answered an ARP request; null without (or for IPv6).</param>
public sealed record GatewayFact(IPAddress Address, string Interface, string Neighbour, string? Mac, ProbeFact? Probe);

/// <summary>The answer to an active check.</summary>
public sealed record ProbeFact(bool Answered, string? Mac, [property: JsonConverter(typeof(OneDecimalConverter))] double Milliseconds);

/// <summary>An ARP probe for an egress address; <paramref name="OtherHostMac"/> is the MAC of another host that claims it.</summary>
public sealed record DuplicateProbeFact(IPAddress Address, string Interface, string? OtherHostMac);

/// <summary>A rule of ours with its kernel counters.</summary>
public sealed record RuleCounterFact(string Location, string Rule, ulong Packets, ulong Bytes)
{
    /// <summary>No packet has matched the rule since it was made.</summary>
    public bool NeverMatched => Packets == 0;
}

/// <summary>Packets and bytes our filters dropped, of one direction (egress, cluster), family (ipv4, ipv6) and hook (forward, input).</summary>
public sealed record DropCountFact(string Direction, string Family, string Hook, ulong Packets, ulong Bytes);

/// <summary>The netfilter ruleset.</summary>
public sealed record NetfilterFact
{
    /// <summary><c>nftables</c> or <c>iptables</c>: the one holding our rules (or, if none does, the one the agent would use); null when neither tool works.</summary>
    [JsonPropertyOrder(-3)]
    public string? Backend { get; init; }

    /// <summary>Whether any of our tables or chains exist; null when it could not be read.</summary>
    [JsonPropertyOrder(-2)]
    public bool? RulesPresent { get; init; }

    /// <summary>Our rules (and nftables map elements) with their counters.</summary>
    public IReadOnlyList<RuleCounterFact> Rules { get; init; } = [];

    /// <summary>What our filters dropped, by direction, family and hook (empty without our rules).</summary>
    public IReadOnlyList<DropCountFact> Drops { get; init; } = [];

    /// <summary>Compared with the desired ruleset; null without a desired state.</summary>
    public NetfilterDriftFact? Drift { get; init; }

    /// <summary>Why the ruleset could not be read, if it could not.</summary>
    [JsonPropertyOrder(-1)]
    public string? Error { get; init; }
}

/// <summary>The netfilter drift report (exact rules, in the tool's syntax).</summary>
public sealed record NetfilterDriftFact(IReadOnlyList<string> Missing, IReadOnlyList<string> Extra, IReadOnlyList<string> Shadowing);

/// <summary>Connection tracking entries.</summary>
public sealed record ConntrackFact
{
    /// <summary>Whether the table could be read (netlink through the conntrack tool).</summary>
    public bool Available { get; init; }

    /// <summary>Why it could not.</summary>
    public string? Error { get; init; }

    /// <summary>All entries in the namespace.</summary>
    public int Total { get; init; }

    /// <summary>Entries per real destination (the reply direction's source, after DNAT).</summary>
    public IReadOnlyList<ConntrackDestinationFact> Destinations { get; init; } = [];
}

/// <summary>Connection tracking entries to one destination.</summary>
public sealed record ConntrackDestinationFact(string Protocol, string Destination, int? Port, int Entries);

/// <summary>Forwarding and reverse-path filtering.</summary>
public sealed record SysctlFact
{
    /// <summary>net.ipv4.ip_forward.</summary>
    public int? Ipv4Forwarding { get; init; }

    /// <summary>net.ipv6.conf.all.forwarding.</summary>
    public int? Ipv6Forwarding { get; init; }

    /// <summary>The effective rp_filter (the larger of <c>all</c> and the interface's) per interface: 0 off, 1 strict, 2 loose.</summary>
    public IReadOnlyList<RpFilterFact> RpFilter { get; init; } = [];
}

/// <summary>rp_filter of one interface.</summary>
public sealed record RpFilterFact(string Interface, int Value);

/// <summary>The agent's health endpoint.</summary>
public sealed record AgentFact(string Address, bool Reachable, bool? Ready, DateTimeOffset? LastSync, IReadOnlyDictionary<string, double> Repairs, string? Error);

/// <summary>The desired state, as far as the analyzer needs it.</summary>
public sealed record DesiredFact
{
    /// <summary>Whether it came from a configuration (false: inferred from what the agent left in the kernel).</summary>
    public bool FromConfig { get; init; }

    /// <summary>The homes.</summary>
    public IReadOnlyList<DesiredHome> Homes { get; init; } = [];

    /// <summary>Destinations the router DNATs to, with the interface they leave by.</summary>
    public IReadOnlyList<DesiredDestination> Destinations { get; init; } = [];

    /// <summary>The cluster interface (client traffic arrives there).</summary>
    public string ClusterInterface { get; init; } = "eth0";
}

/// <summary>One home: its interface, parent, addresses (CIDR), gateways, MTU and routing table.</summary>
public sealed record DesiredHome(string Name, string Interface, string? Parent, IReadOnlyList<InterfaceAddress> Addresses, IReadOnlyList<IPAddress> Gateways, int? Mtu, uint Table);

/// <summary>A DNAT destination and the egress interface its traffic leaves by.</summary>
public sealed record DesiredDestination(IPAddress Address, string Interface);
