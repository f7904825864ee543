using System.Text;
using Prometheus;
using RedirectRouter.Agent.Health;
using RedirectRouter.Netfilter;

namespace RedirectRouter.Agent.Tests.Health;

/// <summary>The filters' drop rules, as both backends report their counters, become /metrics series by direction, family and hook.</summary>
public sealed class DropMetricsTests
{
    private static readonly RuleCounter[] Nftables =
    [
        new("ip redirect_router chain forward_filter", "iifname \"eth0\" ct direction original ct status dnat counter accept", 100, 9000),
        new("ip redirect_router chain forward_filter", "ct direction reply ct status dnat counter accept", 90, 8000),
        new("ip redirect_router chain forward_filter", "iifname \"eth0\" counter drop", 2, 120),
        new("ip redirect_router chain forward_filter", "counter drop", 11, 660),
        new("ip redirect_router chain input_filter", "iifname \"egress0\" counter drop", 4, 240),
        new("ip redirect_router chain input_filter", "iifname \"egress1\" counter drop", 1, 60),
        new("ip6 redirect_router chain forward_filter", "counter drop", 5, 400),
        new("ip redirect_router chain dnat_rules", "iifname \"eth0\" counter dnat ip to 10.7.8.10", 50, 3000),
        new("ip redirect_router map dnat_ports", "tcp . 8080 : 10.7.8.9 . 80", 8, 480),
    ];

    private static readonly RuleCounter[] Iptables =
    [
        new("iptables filter RR-FORWARD", "-A RR-FORWARD -i eth0 -m conntrack --ctstate DNAT --ctdir ORIGINAL -j ACCEPT", 100, 9000),
        new("iptables filter RR-FORWARD", "-A RR-FORWARD -i eth0 -j DROP", 2, 120),
        new("iptables filter RR-FORWARD", "-A RR-FORWARD -j DROP", 11, 660),
        new("iptables filter RR-INPUT", "-A RR-INPUT -i egress0 -j DROP", 4, 240),
        new("iptables filter RR-INPUT", "-A RR-INPUT -i egress1 -j DROP", 1, 60),
        new("ip6tables filter RR-FORWARD", "-A RR-FORWARD -j DROP", 5, 400),
        new("iptables nat RR-DNAT", "-A RR-DNAT -i eth0 -j DROP", 99, 99), // not a filter: never counted as a drop
    ];

    public static TheoryData<string> Backends => new("nftables", "iptables");

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task DropsArePublishedByDirectionFamilyAndHook(string backend)
    {
        var metrics = new AgentMetrics();
        metrics.SetRuleCounters(backend == "nftables" ? Nftables : Iptables);

        Assert.Equal(11, metrics.DroppedPackets(FilterDrops.FromEgress, "ipv4", "forward"));
        Assert.Equal(2, metrics.DroppedPackets(FilterDrops.FromCluster, "ipv4", "forward"));
        Assert.Equal(5, metrics.DroppedPackets(FilterDrops.FromEgress, "ipv4", "input"));
        Assert.Equal(5, metrics.DroppedPackets(FilterDrops.FromEgress, "ipv6", "forward"));
        Assert.Equal(0, metrics.DroppedPackets(FilterDrops.FromCluster, "ipv6", "forward"));
        Assert.Equal(0, metrics.DroppedPackets(FilterDrops.FromEgress, "ipv6", "input"));

        using var body = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(body, TestContext.Current.CancellationToken);
        var text = Encoding.UTF8.GetString(body.ToArray());
        Assert.Contains("redirect_router_filter_dropped_packets{direction=\"egress\",family=\"ipv4\",hook=\"forward\"} 11", text, StringComparison.Ordinal);
        Assert.Contains("redirect_router_filter_dropped_bytes{direction=\"egress\",family=\"ipv4\",hook=\"input\"} 300", text, StringComparison.Ordinal);
        // Every series exists from the first scrape, also at 0, so that a rate() has a start.
        Assert.Contains("redirect_router_filter_dropped_packets{direction=\"egress\",family=\"ipv6\",hook=\"input\"} 0", text, StringComparison.Ordinal);
    }
}
