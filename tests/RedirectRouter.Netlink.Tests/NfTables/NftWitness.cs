using System.Globalization;
using System.Text.Json;
using RedirectRouter.Netlink.NfTables;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netlink.Tests.NfTables;

/// <summary>Runs nft inside a test namespace: loads rulesets and reads maps back with <c>nft -j</c>, the independent witness.</summary>
internal static class NftWitness
{
    /// <summary>The agent's table shapes (as the nftables backend renders them), one chain each for the lookups.</summary>
    public const string Ruleset = """
        table ip redirect_router {
        	map dnat_ports { type inet_proto . inet_service : ipv4_addr . inet_service; counter; }
        	map dnat_ranges { type inet_proto . inet_service : ipv4_addr; flags interval; counter; }
        	map home_marks { type inet_proto . inet_service : mark; flags interval; }
        	chain mark_homes { type filter hook prerouting priority mangle; policy accept; iifname "veth0" meta mark set meta l4proto . th dport map @home_marks; }
        	chain dnat_rules {
        		type nat hook prerouting priority dstnat; policy accept;
        		iifname "veth0" counter dnat ip to meta l4proto . th dport map @dnat_ports
        		iifname "veth0" counter dnat ip to meta l4proto . th dport map @dnat_ranges
        	}
        }
        table ip6 redirect_router {
        	map dnat_ports { type inet_proto . inet_service : ipv6_addr . inet_service; counter; }
        	map dnat_ranges { type inet_proto . inet_service : ipv6_addr; flags interval; counter; }
        }

        """;

    public static readonly NfMap Ports = new(NfFamily.Ip, "redirect_router", "dnat_ports", NfMapKind.Ports);
    public static readonly NfMap Ports6 = new(NfFamily.Ip6, "redirect_router", "dnat_ports", NfMapKind.Ports);
    public static readonly NfMap Ranges = new(NfFamily.Ip, "redirect_router", "dnat_ranges", NfMapKind.Ranges);
    public static readonly NfMap Ranges6 = new(NfFamily.Ip6, "redirect_router", "dnat_ranges", NfMapKind.Ranges);
    public static readonly NfMap Marks = new(NfFamily.Ip, "redirect_router", "home_marks", NfMapKind.Marks);

    /// <summary><c>nft -f</c> of <paramref name="text"/> inside the namespace.</summary>
    public static void Load(TestNamespace ns, string text)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, text);
            TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", "-f", file]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary><c>nft ARGS</c> inside the namespace; its output.</summary>
    public static string Nft(TestNamespace ns, params string[] args) => TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", .. args]);

    /// <summary>
    /// <c>nft -j list map</c>: each element as <c>key : value</c> in nft's words (marks as nft -j prints them, decimal),
    /// with its counter when it has one.
    /// </summary>
    public static Dictionary<string, (string Value, NfCounter? Counter)> Map(TestNamespace ns, NfMap map)
    {
        using var document = JsonDocument.Parse(Nft(ns, "-j", "list", "map", map.Family.Keyword(), map.Table, map.Name));
        var result = new Dictionary<string, (string, NfCounter?)>(StringComparer.Ordinal);
        var body = document.RootElement.GetProperty("nftables").EnumerateArray().Single(e => e.TryGetProperty("map", out _)).GetProperty("map");
        if (!body.TryGetProperty("elem", out var elements))
        {
            return result;
        }

        foreach (var pair in elements.EnumerateArray())
        {
            var key = pair[0];
            NfCounter? counter = null;
            if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("elem", out var wrapped))
            {
                if (wrapped.TryGetProperty("counter", out var c))
                {
                    counter = new NfCounter(c.GetProperty("packets").GetUInt64(), c.GetProperty("bytes").GetUInt64());
                }

                key = wrapped.GetProperty("val");
            }

            result[Render(key)] = (Render(pair[1]), counter);
        }

        return result;
    }

    /// <summary>What <see cref="Map"/> should show for <paramref name="entries"/>.</summary>
    public static Dictionary<string, string> Expected(IEnumerable<NfMapElement> entries) =>
        entries.ToDictionary(e => e.Key.ToString(), e => e.Value.HasAddress ? e.Value.ToString() : e.Value.Mark.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);

    /// <summary>The key : value pairs of <see cref="Map"/>, without counters.</summary>
    public static Dictionary<string, string> Values(TestNamespace ns, NfMap map) =>
        Map(ns, map).ToDictionary(e => e.Key, e => e.Value.Value, StringComparer.Ordinal);

    private static string Render(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Object when value.TryGetProperty("concat", out var parts) => string.Join(" . ", parts.EnumerateArray().Select(Render)),
        JsonValueKind.Object when value.TryGetProperty("range", out var range) => $"{Render(range[0])}-{Render(range[1])}",
        _ => value.GetRawText(),
    };
}
