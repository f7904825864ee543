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
/// <item>filter <c>RR-FORWARD</c> (from FORWARD): from the cluster interface only DNATed traffic is forwarded, so the router is no open relay.</item>
/// </list>
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

    /// <summary>The tables in the order they appear in a payload.</summary>
    internal static readonly string[] Tables = ["mangle", "nat", "filter"];

    /// <inheritdoc/>
    public string Backend => "iptables";

    /// <summary>Whether remapped ranges are rendered as one shifted DNAT.</summary>
    public bool DnatPortShift { get; } = dnatPortShift;

    /// <summary>IPv4 always (the cluster side is IPv4 in OpenShift); IPv6 when the model has anything IPv6.</summary>
    public static IReadOnlyList<AddressFamily> Families(NatModel nat)
    {
        ArgumentNullException.ThrowIfNull(nat);
        var v6 = nat.Dnat.Any(d => d.Family == AddressFamily.InterNetworkV6)
            || nat.Fallbacks.Any(f => f.Family == AddressFamily.InterNetworkV6)
            || nat.Snat.Any(s => s.Family == AddressFamily.InterNetworkV6);
        return v6 ? [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6] : [AddressFamily.InterNetwork];
    }

    /// <summary>"iptables" or "ip6tables".</summary>
    public static string LabelOf(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "ip6tables" : "iptables";

    /// <summary>The chains of one family.</summary>
    public IptablesRuleset Build(NatModel nat, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(nat);
        var iface = nat.ClusterInterface;
        var chains = new List<IptablesChain>();
        var marks = nat.Homes.Where(h => h.Mark is not null).ToDictionary(h => h.Home, h => h.Mark!.Value, StringComparer.Ordinal);
        var dnat = nat.Dnat.Where(d => d.Family == family).ToArray();
        var fallback = nat.Fallbacks.FirstOrDefault(f => f.Family == family);

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
            .Select(s => $"-A {SnatChain} -o {s.Interface} -j SNAT --to-source {s.Source}");
        chains.Add(new IptablesChain("nat", SnatChain, "POSTROUTING", snatRules.ToValueList()));

        chains.Add(new IptablesChain("filter", ForwardChain, "FORWARD",
        [
            $"-A {ForwardChain} -i {iface} -m conntrack --ctstate DNAT -j ACCEPT",
            $"-A {ForwardChain} -i {iface} -j DROP",
        ]));
        return new IptablesRuleset(family, chains.ToValueList());
    }

    /// <summary>
    /// What <c>plan</c> prints: the restore payload per family as it would be loaded into a namespace
    /// without our chains (the applier adds a jump only when it is missing).
    /// </summary>
    public string Render(NatModel nat)
    {
        var text = new StringBuilder();
        foreach (var family in Families(nat))
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
        var proto = ProtocolName(entry.Protocol);
        var ports = entry.LocalPorts.IsSinglePort
            ? entry.LocalPorts.First.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{entry.LocalPorts.First}:{entry.LocalPorts.Last}");
        return $"-i {iface} -p {proto} -m {proto} --dport {ports}";
    }

    internal static string ProtocolName(Protocol protocol) => protocol switch
    {
        Protocol.Tcp => "tcp",
        Protocol.Udp => "udp",
        Protocol.Sctp => "sctp",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "unknown protocol"),
    };

    private static string Endpoint(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private static string Hex(uint value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
