using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Netfilter.Iptables;

/// <summary>
/// Renders the <see cref="NatModel"/> for <c>iptables-restore --noflush</c>, in our own chains only, in
/// exactly the form iptables-save prints back, so that read-back compares line by line:
/// <list type="bullet">
/// <item>nat <c>RR-DNAT</c> (from PREROUTING): one DNAT per redirect rule, then the fallback.</item>
/// <item>nat <c>RR-SNAT</c> (from POSTROUTING): SNAT to the home's egress address by output interface.</item>
/// <item>mangle <c>RR-MARK</c> (from PREROUTING, multi-home only): the home's mark, for policy routing.</item>
/// <item>filter <c>RR-FORWARD</c> (from FORWARD): the no-open-relay filter. Forwarded are only flows we DNATed:
/// their original direction from the cluster interface, their replies (and related ICMP errors) from anywhere;
/// the rest is dropped and counted by where it came from (the cluster interface, or anywhere else).</item>
/// <item>filter <c>RR-INPUT</c> (from INPUT): from a home's interface the router itself takes only neighbour
/// discovery (ARP is not IP), replies of its own flows and related ICMP errors; the rest is dropped and counted.</item>
/// </list>
/// Both families always: without anything IPv6 configured, the IPv6 filter forwards nothing.
/// </summary>
/// <param name="dnatPortShift">Whether a remapped port range can be one shifted DNAT (<c>A:9000-9010/8000</c>); otherwise one rule per port.</param>
public sealed class IptablesRenderer(bool dnatPortShift = true) : IRulesetRenderer
{
    /// <summary>Every chain we own starts with this.</summary>
    public const string ChainPrefix = "RR-";

    /// <summary>nat: DNAT per redirect rule and the fallback.</summary>
    public const string DnatChain = "RR-DNAT";

    /// <summary>nat: SNAT per home.</summary>
    public const string SnatChain = "RR-SNAT";

    /// <summary>mangle: home marks.</summary>
    public const string MarkChain = "RR-MARK";

    /// <summary>filter: the no-open-relay filter.</summary>
    public const string ForwardChain = "RR-FORWARD";

    /// <summary>filter: what the router itself accepts from the egress side.</summary>
    public const string InputChain = "RR-INPUT";

    /// <summary>The tables in the order they appear in a payload.</summary>
    internal static readonly string[] Tables = ["mangle", "nat", "filter"];

    /// <inheritdoc/>
    public string Backend => "iptables";

    /// <summary>Whether remapped ranges are rendered as one shifted DNAT.</summary>
    public bool DnatPortShift { get; } = dnatPortShift;

    /// <summary>"iptables" or "ip6tables".</summary>
    public static string LabelOf(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "ip6tables" : "iptables";

    /// <summary>The chains of one family.</summary>
    public IptablesRuleset Build(NatModel nat, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(nat);
        var iface = Name(nat.ClusterInterface);
        var chains = new List<IptablesChain>();
        var marks = nat.Homes.Where(h => h.Mark is not null).ToDictionary(h => h.Home, h => h.Mark!.Value, StringComparer.Ordinal);
        var dnat = nat.Dnat.Where(d => d.Family == family).ToArray();
        var fallback = nat.Fallbacks.FirstOrDefault(f => f.Family == family);
        if (!NatModelFacts.Configures(nat, family))
        {
            // Nothing of this family is redirected: its filter alone, so that none of it is forwarded.
            return new IptablesRuleset(family, FilterChains(nat, family, iface).ToValueList());
        }

        if (marks.Count > 0)
        {
            var markRules = new List<string>();
            // MARK does not end the chain: the fallback's mark first, then the rules' marks override it.
            if (fallback is not null && marks.TryGetValue(fallback.Home, out var fallbackMark))
            {
                markRules.Add($"-A {MarkChain} -i {iface} -j MARK --set-xmark {Hex(fallbackMark)}/0xffffffff");
            }
            foreach (var entry in dnat)
            {
                if (marks.TryGetValue(entry.Home, out var mark))
                {
                    markRules.Add($"-A {MarkChain} {Match(iface, entry)} -j MARK --set-xmark {Hex(mark)}/0xffffffff");
                }
            }
            chains.Add(new IptablesChain("mangle", MarkChain, "PREROUTING", markRules.ToValueList()));
        }

        // The router's own services (health/metrics) are never redirected, whatever the rules and fallback say.
        var dnatRules = nat.LocalTcpPorts.Select(p => string.Create(CultureInfo.InvariantCulture, $"-A {DnatChain} -i {iface} -p tcp -m tcp --dport {p} -j RETURN")).ToList();
        foreach (var entry in dnat)
        {
            dnatRules.AddRange(DnatRules(iface, entry));
        }
        if (fallback is not null)
        {
            dnatRules.Add($"-A {DnatChain} -i {iface} -j DNAT --to-destination {fallback.Destination}");
        }
        chains.Add(new IptablesChain("nat", DnatChain, "PREROUTING", dnatRules.ToValueList()));

        var snatRules = nat.Snat.Where(s => s.Family == family)
            .Select(s => $"-A {SnatChain} -o {Name(s.Interface)} -j SNAT --to-source {s.Source}");
        chains.Add(new IptablesChain("nat", SnatChain, "POSTROUTING", snatRules.ToValueList()));

        chains.AddRange(FilterChains(nat, family, iface));
        return new IptablesRuleset(family, chains.ToValueList());
    }

    private static IEnumerable<IptablesChain> FilterChains(NatModel nat, AddressFamily family, string iface)
    {
        yield return new IptablesChain("filter", ForwardChain, "FORWARD",
        [
            $"-A {ForwardChain} -i {iface} -m conntrack --ctstate DNAT --ctdir ORIGINAL -j ACCEPT",
            $"-A {ForwardChain} -m conntrack --ctstate DNAT --ctdir REPLY -j ACCEPT",
            $"-A {ForwardChain} -i {iface} -j DROP",
            $"-A {ForwardChain} -j DROP",
        ]);

        var inputRules = new List<string>();
        foreach (var home in NatModelFacts.HomeInterfaces(nat).Select(Name))
        {
            if (family == AddressFamily.InterNetworkV6)
            {
                // Neighbour discovery is ICMPv6: address resolution and duplicate address detection need it, and
                // MLD queries need their answer, or a snooping switch stops sending us the solicited-node multicast.
                inputRules.Add($"-A {InputChain} -i {home} -p ipv6-icmp -m icmp6 --icmpv6-type 130 -j ACCEPT");
                inputRules.Add($"-A {InputChain} -i {home} -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT");
                inputRules.Add($"-A {InputChain} -i {home} -p ipv6-icmp -m icmp6 --icmpv6-type 136 -j ACCEPT");
            }
            inputRules.Add($"-A {InputChain} -i {home} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
            inputRules.Add($"-A {InputChain} -i {home} -j DROP");
        }
        yield return new IptablesChain("filter", InputChain, "INPUT", inputRules.ToValueList());
    }

    /// <summary>
    /// What <c>plan</c> prints: the restore payload per family as it would be loaded into a namespace
    /// without our chains (the applier adds a jump only when it is missing).
    /// </summary>
    public string Render(NatModel nat)
    {
        var text = new StringBuilder();
        foreach (var family in NatModelFacts.Families(nat))
        {
            text.Append(CultureInfo.InvariantCulture, $"# {(family == AddressFamily.InterNetworkV6 ? "ip6tables" : "iptables")}-restore --noflush\n");
            text.Append(IptablesPayload.Build(Build(nat, family), live: null));
        }
        return text.ToString();
    }

    private IEnumerable<string> DnatRules(string iface, DnatEntry entry)
    {
        var local = entry.LocalPorts;
        var identity = entry.TargetPorts is not { } t || t == local;
        if (identity)
        {
            // Ports unchanged: DNAT the address only.
            yield return $"-A {DnatChain} {Match(iface, entry)} -j DNAT --to-destination {entry.Destination}";
            yield break;
        }

        var target = entry.TargetPorts!.Value;
        if (target.IsSinglePort)
        {
            yield return $"-A {DnatChain} {Match(iface, entry)} -j DNAT --to-destination {Endpoint(entry.Destination)}:{target.First}";
        }
        else if (DnatPortShift)
        {
            // A plain "A:9000-9010" would pick any port of the range; "/8000" shifts 8000->9000, 8001->9001, ...
            yield return $"-A {DnatChain} {Match(iface, entry)} -j DNAT --to-destination {Endpoint(entry.Destination)}:{target.First}-{target.Last}/{local.First}";
        }
        else
        {
            for (var i = 0; i < local.Width; i++)
            {
                var single = entry with { LocalPorts = PortRange.Single(local.First + i) };
                yield return $"-A {DnatChain} {Match(iface, single)} -j DNAT --to-destination {Endpoint(entry.Destination)}:{target.First + i}";
            }
        }
    }

    private static string Match(string iface, DnatEntry entry)
    {
        var proto = NatModelFacts.ProtocolName(entry.Protocol);
        var ports = entry.LocalPorts.IsSinglePort
            ? entry.LocalPorts.First.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{entry.LocalPorts.First}:{entry.LocalPorts.Last}");
        return $"-i {iface} -p {proto} -m {proto} --dport {ports}";
    }

    private static string Endpoint(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    // Every name in the ruleset goes through here: refused when outside the name rule.
    private static string Name(string name) => RulesetText.Name(name, quoted: false);

    private static string Hex(uint value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
