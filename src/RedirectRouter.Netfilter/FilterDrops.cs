using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;

namespace RedirectRouter.Netfilter;

/// <summary>What the router's filters dropped, summed over the drop rules of one direction, family and hook.</summary>
/// <param name="Direction"><see cref="FilterDrops.FromEgress"/> (a home's interface, or anywhere but the cluster interface) or <see cref="FilterDrops.FromCluster"/>.</param>
/// <param name="Family"><c>ipv4</c> or <c>ipv6</c>.</param>
/// <param name="Hook"><c>forward</c> (traffic through the router) or <c>input</c> (traffic to the router itself).</param>
/// <param name="Packets">Packets dropped.</param>
/// <param name="Bytes">Bytes dropped.</param>
public sealed record DropCount(string Direction, string Family, string Hook, ulong Packets, ulong Bytes);

/// <summary>
/// Finds the drop rules of our filters among the rule counters of either backend. The rendering makes this
/// structural: in the forward filter the drop of the cluster side matches the cluster interface and the other
/// drop matches no interface; in the input filter every drop is of a home's interface.
/// </summary>
public static class FilterDrops
{
    /// <summary>Arrived anywhere but on the cluster interface: the egress side.</summary>
    public const string FromEgress = "egress";

    /// <summary>Arrived on the cluster interface.</summary>
    public const string FromCluster = "cluster";

    /// <summary>The drops in <paramref name="counters"/>, summed; every direction, family and hook we filter appears, with 0 if nothing was dropped.</summary>
    public static IReadOnlyList<DropCount> Of(IEnumerable<RuleCounter> counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var sums = new Dictionary<(string, string, string), (ulong Packets, ulong Bytes)>();
        foreach (var key in Keys())
        {
            sums[key] = (0, 0);
        }
        foreach (var counter in counters)
        {
            if (Classify(counter) is { } key)
            {
                var (packets, bytes) = sums[key];
                sums[key] = (packets + counter.Packets, bytes + counter.Bytes);
            }
        }
        return sums.Select(s => new DropCount(s.Key.Item1, s.Key.Item2, s.Key.Item3, s.Value.Packets, s.Value.Bytes)).ToArray();
    }

    /// <summary>The direction, family and hook of a drop rule of ours; null for any other rule.</summary>
    public static (string Direction, string Family, string Hook)? Classify(RuleCounter counter)
    {
        ArgumentNullException.ThrowIfNull(counter);
        var words = counter.Location.Split(' ');
        if (words.Length != 3 && words.Length != 4)
        {
            return null;
        }
        string family, hook;
        bool drop, namesInterface;
        if (words.Length == 4 && words[1] == NftRenderer.TableName && words[2] == "chain")
        {
            // "ip redirect_router chain forward_filter"
            family = words[0] == "ip6" ? "ipv6" : words[0] == "ip" ? "ipv4" : "";
            hook = words[3] == NftRenderer.ForwardChain ? "forward" : words[3] == NftRenderer.InputChain ? "input" : "";
            drop = counter.Rule.EndsWith(" drop", StringComparison.Ordinal) || counter.Rule == "drop";
            namesInterface = counter.Rule.StartsWith("iifname ", StringComparison.Ordinal);
        }
        else if (words.Length == 3 && words[1] == "filter")
        {
            // "iptables filter RR-FORWARD"
            family = words[0] == "ip6tables" ? "ipv6" : words[0] == "iptables" ? "ipv4" : "";
            hook = words[2] == IptablesRenderer.ForwardChain ? "forward" : words[2] == IptablesRenderer.InputChain ? "input" : "";
            drop = counter.Rule.EndsWith(" -j DROP", StringComparison.Ordinal);
            namesInterface = counter.Rule.Contains(" -i ", StringComparison.Ordinal);
        }
        else
        {
            return null;
        }
        if (family.Length == 0 || hook.Length == 0 || !drop)
        {
            return null;
        }
        return (hook == "forward" && namesInterface ? FromCluster : FromEgress, family, hook);
    }

    private static IEnumerable<(string, string, string)> Keys()
    {
        foreach (var family in new[] { "ipv4", "ipv6" })
        {
            yield return (FromEgress, family, "forward");
            yield return (FromCluster, family, "forward");
            yield return (FromEgress, family, "input");
        }
    }
}
