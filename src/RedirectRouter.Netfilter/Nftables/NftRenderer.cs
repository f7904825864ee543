using System.Globalization;
using System.Net.Sockets;
using System.Text;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netlink.NfTables;

namespace RedirectRouter.Netfilter.Nftables;

/// <summary>
/// Renders the <see cref="NatModel"/> as one table per family, <c>redirect_router</c>, loaded by one
/// <c>nft -f</c> transaction. The DNAT rules are map elements, so the lookup cost does not grow with the
/// number of rules:
/// <list type="bullet">
/// <item><c>dnat_ports</c>: a hash map <c>l4proto . dport : addr . port</c> (single ports; remapped ranges one element per port).</item>
/// <item><c>dnat_ranges</c>: an interval map <c>l4proto . first-last : addr</c> (ranges whose ports stay the same).</item>
/// <item><c>home_marks</c> (multi-home only): <c>l4proto . port(s) : mark</c>, for policy routing.</item>
/// </list>
/// A lookup that finds no element lets the packet fall through to the fallback rule; then SNAT per home
/// by output interface, and the same filters as the iptables backend (<see cref="ForwardChain"/>,
/// <see cref="InputChain"/>), in both families always.
/// </summary>
public sealed class NftRenderer : IRulesetRenderer
{
    /// <summary>The name of our table in each family.</summary>
    public const string TableName = "redirect_router";

    /// <summary>
    /// The comment on our tables (nft 0.9.7+ writes it, kernels 5.10+ keep it; older kernels drop it silently): a table
    /// named <see cref="TableName"/> without it was not made by us, and <c>cleanup</c> leaves it alone.
    /// </summary>
    public const string TableComment = "redirect-router";

    /// <summary>Map: single ports.</summary>
    public const string PortMap = "dnat_ports";

    /// <summary>Map: same-port ranges.</summary>
    public const string RangeMap = "dnat_ranges";

    /// <summary>Map: home marks.</summary>
    public const string MarkMap = "home_marks";

    /// <summary>Chain (prerouting, mangle priority, multi-home only): sets the home mark.</summary>
    public const string MarkChain = "mark_homes";

    /// <summary>Chain (prerouting, dstnat): the map lookups and the fallback.</summary>
    public const string DnatChain = "dnat_rules";

    /// <summary>Chain (postrouting, srcnat): SNAT per home.</summary>
    public const string SnatChain = "snat_homes";

    /// <summary>
    /// Chain (forward, filter): the no-open-relay filter. Forwarded are only flows we DNATed: their original
    /// direction from the cluster interface, their replies (and related ICMP errors) from anywhere. Everything
    /// else is dropped and counted, by where it came from (the cluster interface, or anywhere else: the egress side).
    /// </summary>
    public const string ForwardChain = "forward_filter";

    /// <summary>
    /// Chain (input, filter): from a home's interface the router itself takes only neighbour discovery (ARP is
    /// not IP, so no IP filter sees it), replies of its own flows and ICMP errors related to them; the rest is
    /// dropped and counted. The router's own listeners (health, metrics) are thus reachable from the cluster side only.
    /// </summary>
    public const string InputChain = "input_filter";

    /// <summary>The families we may own a table in.</summary>
    public static readonly string[] AllFamilies = ["ip", "ip6"];

    private const string LookupKey = "meta l4proto . th dport";

    /// <summary>
    /// A throw-away table with every feature our ruleset uses, for <c>nft --check</c> (which sends it to the
    /// kernel and aborts): concatenated hash and interval maps with counters, NAT in both families.
    /// </summary>
    internal static readonly string ProbeRuleset = $$"""
        table ip {{TableName}}_probe {
        	map m { type inet_proto . inet_service : ipv4_addr . inet_service; counter; elements = { tcp . 1 : 127.0.0.1 . 2 }; }
        	map r { type inet_proto . inet_service : ipv4_addr; flags interval; counter; elements = { udp . 1-2 : 127.0.0.1 }; }
        	chain p { type nat hook prerouting priority dstnat; policy accept; iifname "lo" counter dnat ip to {{LookupKey}} map @m; }
        	chain f { type filter hook forward priority filter; policy accept; ct status dnat counter accept; }
        }
        table ip6 {{TableName}}_probe {
        	chain p { type nat hook postrouting priority srcnat; policy accept; oifname "lo" counter snat ip6 to ::1; }
        }

        """;

    /// <inheritdoc/>
    public string Backend => "nftables";

    /// <summary>The "ip"/"ip6" name of an address family.</summary>
    public static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "ip6" : "ip";

    /// <summary>Our tables for <paramref name="nat"/>: ip and ip6 always (without anything IPv6 configured, the ip6 table forwards nothing).</summary>
    public IReadOnlyList<NftTable> Build(NatModel nat) =>
        NatModelFacts.Families(nat).Select(f => Build(nat, f)).ToArray();

    /// <summary>Our table of one family.</summary>
    public NftTable Build(NatModel nat, AddressFamily family) => Build(nat, family, includeElements: true);

    /// <summary>
    /// Our tables without map elements (maps declared empty): what the backend holds and compares to tell an
    /// element-only change from a structural one, and what a first load creates before the elements go in natively.
    /// </summary>
    public IReadOnlyList<NftTable> BuildSkeleton(NatModel nat) =>
        NatModelFacts.Families(nat).Select(f => Build(nat, f, includeElements: false)).ToArray();

    /// <summary>
    /// The elements of every map of our tables as compact values, for the native element store: per family
    /// ("ip", "ip6") and map name, the same elements <see cref="Build(NatModel)"/> writes as text.
    /// </summary>
    public static IReadOnlyList<(string Family, string Map, NfMapElement Element)> BuildElements(NatModel nat)
    {
        ArgumentNullException.ThrowIfNull(nat);
        var elements = new List<(string, string, NfMapElement)>();
        var marks = nat.Homes.Where(h => h.Mark is not null).ToDictionary(h => h.Home, h => h.Mark!.Value, StringComparer.Ordinal);
        foreach (var family in NatModelFacts.Families(nat))
        {
            var fam = FamilyName(family);
            foreach (var (map, key, value) in NativeElements(nat.Dnat.Where(d => d.Family == family).ToArray(), marks, withMarks: marks.Count > 0))
            {
                elements.Add((fam, map, new NfMapElement(key, value)));
            }
        }
        return elements;
    }

    /// <summary>The IP protocol number nft's <c>inet_proto</c> stores.</summary>
    public static byte ProtocolNumber(Protocol protocol) => protocol switch
    {
        Protocol.Tcp => 6,
        Protocol.Udp => 17,
        Protocol.Sctp => 132,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "unknown protocol"),
    };

    // One source for the elements of both forms (text for nft -f and plan, compact values for the native store).
    private static IEnumerable<(string Map, NfPortKey Key, NfMapValue Value)> NativeElements(DnatEntry[] dnat, Dictionary<string, uint> marks, bool withMarks)
    {
        foreach (var entry in dnat)
        {
            var proto = ProtocolNumber(entry.Protocol);
            var local = entry.LocalPorts;
            var identity = entry.TargetPorts is not { } t || t == local;
            if (identity && !local.IsSinglePort)
            {
                yield return (RangeMap, new NfPortKey(proto, (ushort)local.First, (ushort)local.Last), NfMapValue.To(entry.Destination));
                continue;
            }
            // Hash elements are exact keys: a remapped range becomes one element per port (8000->9000, 8001->9001, ...).
            for (var i = 0; i < local.Width; i++)
            {
                var port = identity ? local.First + i
                    : entry.TargetPorts!.Value.IsSinglePort ? entry.TargetPorts.Value.First
                    : entry.TargetPorts.Value.First + i;
                yield return (PortMap, new NfPortKey(proto, (ushort)(local.First + i)), NfMapValue.To(entry.Destination, (ushort)port));
            }
        }
        if (withMarks)
        {
            foreach (var entry in dnat.Where(d => marks.ContainsKey(d.Home)))
            {
                yield return (MarkMap, new NfPortKey(ProtocolNumber(entry.Protocol), (ushort)entry.LocalPorts.First, (ushort)entry.LocalPorts.Last), NfMapValue.WithMark(marks[entry.Home]));
            }
        }
    }

    /// <summary>A key as nft writes it: <c>tcp . 8080</c>, <c>udp . 9000-9010</c>, <c>sctp . 5000</c>.</summary>
    internal static string KeyText(NfPortKey key)
    {
        var proto = key.Protocol switch { 6 => "tcp", 17 => "udp", 132 => "sctp", _ => key.Protocol.ToString(CultureInfo.InvariantCulture) };
        return key.IsSinglePort
            ? string.Create(CultureInfo.InvariantCulture, $"{proto} . {key.First}")
            : string.Create(CultureInfo.InvariantCulture, $"{proto} . {key.First}-{key.Last}");
    }

    /// <summary>An element as nft writes it: <c>tcp . 8080 : 10.7.8.9 . 80</c>.</summary>
    internal static string ElementText(NfMapElement element) =>
        $"{KeyText(element.Key)} : {(element.Value.HasAddress ? element.Value.ToString() : MarkText(element.Value.Mark))}";

    private NftTable Build(NatModel nat, AddressFamily family, bool includeElements)
    {
        ArgumentNullException.ThrowIfNull(nat);
        var fam = FamilyName(family);
        var iface = Quote(nat.ClusterInterface);
        var addrType = family == AddressFamily.InterNetworkV6 ? "ipv6_addr" : "ipv4_addr";
        var dnat = nat.Dnat.Where(d => d.Family == family).ToArray();
        var fallback = nat.Fallbacks.FirstOrDefault(f => f.Family == family);
        var marks = nat.Homes.Where(h => h.Mark is not null).ToDictionary(h => h.Home, h => h.Mark!.Value, StringComparer.Ordinal);
        if (!NatModelFacts.Configures(nat, family))
        {
            // Nothing of this family is redirected: its filters alone, so that none of it is forwarded.
            return new NftTable(fam, [], FilterChains(nat, family, iface).ToValueList());
        }

        var ports = new List<NftElement>();
        var ranges = new List<NftElement>();
        if (includeElements)
        {
            foreach (var (map, key, value) in NativeElements(dnat, marks, withMarks: false))
            {
                var element = new NftElement(KeyText(key), map == PortMap ? $"{value.Address} . {value.Port.ToString(CultureInfo.InvariantCulture)}" : value.Address!.ToString());
                (map == PortMap ? ports : ranges).Add(element);
            }
        }

        var maps = new List<NftMap>
        {
            new(PortMap, "inet_proto . inet_service", $"{addrType} . inet_service", Interval: false, Counter: true, ports.ToValueList()),
            new(RangeMap, "inet_proto . inet_service", addrType, Interval: true, Counter: true, ranges.ToValueList()),
        };
        var chains = new List<NftChain>();

        if (marks.Count > 0)
        {
            var markElements = includeElements
                ? dnat.Where(d => marks.ContainsKey(d.Home)).Select(d => new NftElement($"{NatModelFacts.ProtocolName(d.Protocol)} . {d.LocalPorts}", MarkText(marks[d.Home])))
                : [];
            maps.Add(new NftMap(MarkMap, "inet_proto . inet_service", "mark", Interval: true, Counter: false, markElements.ToValueList()));
            var markRules = new List<string>();
            if (fallback is not null && marks.TryGetValue(fallback.Home, out var fallbackMark))
            {
                markRules.Add($"iifname {iface} meta mark set {MarkText(fallbackMark)}");
            }
            markRules.Add($"iifname {iface} meta mark set {LookupKey} map @{MarkMap}");
            chains.Add(new NftChain(MarkChain, "filter", "prerouting", -150, markRules.ToValueList()));
        }

        // The router's own services (health/metrics) are never redirected, whatever the rules and fallback say.
        var dnatRules = nat.LocalTcpPorts.Select(p => string.Create(CultureInfo.InvariantCulture, $"iifname {iface} tcp dport {p} counter accept")).ToList();
        dnatRules.AddRange(
        [
            $"iifname {iface} counter dnat {fam} to {LookupKey} map @{PortMap}",
            $"iifname {iface} counter dnat {fam} to {LookupKey} map @{RangeMap}",
        ]);
        if (fallback is not null)
        {
            dnatRules.Add($"iifname {iface} counter dnat {fam} to {fallback.Destination}");
        }
        chains.Add(new NftChain(DnatChain, "nat", "prerouting", -100, dnatRules.ToValueList()));

        chains.Add(new NftChain(SnatChain, "nat", "postrouting", 100,
            nat.Snat.Where(s => s.Family == family).Select(s => $"oifname {Quote(s.Interface)} counter snat {fam} to {s.Source}").ToValueList()));

        chains.AddRange(FilterChains(nat, family, iface));
        return new NftTable(fam, maps.ToValueList(), chains.ToValueList());
    }

    private static IEnumerable<NftChain> FilterChains(NatModel nat, AddressFamily family, string iface)
    {
        yield return new NftChain(ForwardChain, "filter", "forward", 0,
        [
            $"iifname {iface} ct direction original ct status dnat counter accept",
            "ct direction reply ct status dnat counter accept",
            $"iifname {iface} counter drop",
            "counter drop",
        ]);

        var inputRules = new List<string>();
        foreach (var home in NatModelFacts.HomeInterfaces(nat).Select(Quote))
        {
            if (family == AddressFamily.InterNetworkV6)
            {
                // Neighbour discovery is ICMPv6: address resolution and duplicate address detection need it, and
                // MLD queries need their answer, or a snooping switch stops sending us the solicited-node multicast.
                // (In numeric order: nft lists a set sorted.)
                inputRules.Add($"iifname {home} icmpv6 type {{ mld-listener-query, nd-neighbor-solicit, nd-neighbor-advert }} accept");
            }
            inputRules.Add($"iifname {home} ct state established,related accept");
            inputRules.Add($"iifname {home} counter drop");
        }
        yield return new NftChain(InputChain, "filter", "input", 0, inputRules.ToValueList());
    }

    /// <summary>What <c>plan</c> prints: exactly the full-replace transaction an apply loads.</summary>
    public string Render(NatModel nat) => FullReplace(Build(nat));

    /// <summary>
    /// One transaction that replaces our tables: "add table" (so the delete cannot fail), "delete table",
    /// then the new table; families without a table in <paramref name="tables"/> are just deleted.
    /// </summary>
    public static string FullReplace(IReadOnlyList<NftTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var text = new StringBuilder();
        foreach (var family in AllFamilies)
        {
            text.Append(CultureInfo.InvariantCulture, $"add table {family} {TableName}\n");
            text.Append(CultureInfo.InvariantCulture, $"delete table {family} {TableName}\n");
        }
        foreach (var table in tables)
        {
            AppendTable(text, table);
        }
        return text.ToString();
    }

    /// <summary>The transaction that removes our tables (idempotent: add then delete).</summary>
    public static string Cleanup() => FullReplace([]);

    /// <summary>
    /// The element-only transaction from <paramref name="old"/> to <paramref name="new"/>; null when anything but
    /// map elements differs (then the table must be replaced); empty when nothing differs.
    /// </summary>
    public static string? ElementDelta(IReadOnlyList<NftTable> old, IReadOnlyList<NftTable> @new)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        if (old.Count != @new.Count)
        {
            return null;
        }
        var text = new StringBuilder();
        for (var t = 0; t < old.Count; t++)
        {
            var (a, b) = (old[t], @new[t]);
            if (a.Family != b.Family || !a.Chains.Equals(b.Chains) || a.Maps.Count != b.Maps.Count)
            {
                return null;
            }
            for (var m = 0; m < a.Maps.Count; m++)
            {
                var (before, after) = (a.Maps[m], b.Maps[m]);
                if (before.Declaration != after.Declaration)
                {
                    return null;
                }
                var was = ToDictionary(before.Elements);
                var now = ToDictionary(after.Elements);
                var removed = was.Where(e => !now.TryGetValue(e.Key, out var v) || v != e.Value).Select(e => e.Key).ToArray();
                var added = after.Elements.Where(e => !was.TryGetValue(e.Key, out var v) || v != e.Value).ToArray();
                // Deletions first: a changed value is a delete and an add of the same key, in the same transaction.
                if (removed.Length > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"delete element {a.Family} {TableName} {before.Name} {{ {string.Join(", ", removed)} }}\n");
                }
                if (added.Length > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"add element {a.Family} {TableName} {after.Name} {{ {string.Join(", ", added)} }}\n");
                }
            }
        }
        return text.ToString();
    }

    internal static string MarkText(uint mark) => "0x" + mark.ToString("x8", CultureInfo.InvariantCulture);

    internal static string PriorityName(string type, string hook, int priority) => (type, hook, priority) switch
    {
        (_, _, -150) => "mangle",
        ("nat", "prerouting", -100) => "dstnat",
        ("nat", "postrouting", 100) => "srcnat",
        (_, _, 0) => "filter",
        _ => priority.ToString(CultureInfo.InvariantCulture),
    };

    private static Dictionary<string, string> ToDictionary(IEnumerable<NftElement> elements)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var element in elements)
        {
            map[element.Key] = element.Value;
        }
        return map;
    }

    private static void AppendTable(StringBuilder text, NftTable table)
    {
        text.Append(CultureInfo.InvariantCulture, $"table {table.Family} {TableName} {{\n");
        text.Append("\tcomment \"").Append(TableComment).Append("\"\n");
        foreach (var map in table.Maps)
        {
            text.Append(CultureInfo.InvariantCulture, $"\tmap {map.Name} {{\n\t\ttype {map.KeyType} : {map.ValueType}\n");
            if (map.Interval)
            {
                text.Append("\t\tflags interval\n");
            }
            if (map.Counter)
            {
                text.Append("\t\tcounter\n");
            }
            if (map.Elements.Count > 0)
            {
                text.Append("\t\telements = {\n");
                for (var i = 0; i < map.Elements.Count; i++)
                {
                    text.Append("\t\t\t").Append(map.Elements[i].ToString()).Append(i + 1 < map.Elements.Count ? ",\n" : "\n");
                }
                text.Append("\t\t}\n");
            }
            text.Append("\t}\n");
        }
        foreach (var chain in table.Chains)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\tchain {chain.Name} {{\n\t\ttype {chain.Type} hook {chain.Hook} priority {PriorityName(chain.Type, chain.Hook, chain.Priority)}; policy accept;\n");
            foreach (var rule in chain.Rules)
            {
                text.Append("\t\t").Append(rule).Append('\n');
            }
            text.Append("\t}\n");
        }
        text.Append("}\n");
    }

    // Every name in the ruleset goes through here: quoted, and refused when outside the name rule.
    private static string Quote(string name) => RulesetText.Name(name, quoted: true);
}
