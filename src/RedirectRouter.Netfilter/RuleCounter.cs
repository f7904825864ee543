namespace RedirectRouter.Netfilter;

/// <summary>The packet and byte counters of one of our rules or map elements.</summary>
/// <param name="Location">Where it lives: "iptables nat RR-DNAT", "ip6tables filter RR-FORWARD", "ip redirect_router chain dnat", "ip redirect_router map dnat_ports".</param>
/// <param name="Rule">The rule in the tool's syntax, or the map element ("tcp . 8080 : 10.7.8.9 . 80").</param>
/// <param name="Packets">Packets matched.</param>
/// <param name="Bytes">Bytes matched.</param>
public sealed record RuleCounter(string Location, string Rule, ulong Packets, ulong Bytes);
