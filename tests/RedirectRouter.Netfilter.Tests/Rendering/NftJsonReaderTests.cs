using RedirectRouter.Netfilter.Nftables;

using RedirectRouter.Core.Model;

namespace RedirectRouter.Netfilter.Tests.Rendering;

/// <summary>Reads real <c>nft -j list table</c> output (captured from nft 1.0.6) back into the renderer's canonical text.</summary>
public sealed class NftJsonReaderTests
{
    private static readonly string Json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rendering", "Data", "nft-1.0.6-list-table.json"));

    // Our ip and ip6 tables beside a foreign ip table with two prerouting NAT chains (priority -150 and 0).
    private static readonly string RulesetJson = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rendering", "Data", "nft-1.0.6-list-ruleset.json"));

    [Fact]
    public void RulesReadBackAsRenderedAndUnknownExpressionsStayVisible()
    {
        var table = NftJsonReader.ReadRuleset(Json).OurTables["ip"];

        Assert.Equal(["mark_homes", "dnat_rules", "snat_homes", "forward_filter"], table.Chains.Select(c => c.Name));
        Assert.Equal(new NftChain("mark_homes", "filter", "prerouting", -150,
        [
            "iifname \"eth0\" meta mark set 0x00002000",
            "iifname \"eth0\" meta mark set meta l4proto . th dport map @home_marks",
        ]), table.Chains[0]);
        Assert.Equal(
        [
            "iifname \"eth0\" counter dnat ip to meta l4proto . th dport map @dnat_ports",
            "iifname \"eth0\" counter dnat ip to meta l4proto . th dport map @dnat_ranges",
            "iifname \"eth0\" counter dnat ip to 10.7.8.10",
            "iifname \"eth0\" tcp dport 22 accept",
        ], table.Chains[1].Rules);
        Assert.Equal(-100, table.Chains[1].Priority);
        Assert.Equal(["oifname \"macvlan0\" counter snat ip to 192.168.12.99"], table.Chains[2].Rules);
        Assert.Equal(["iifname \"eth0\" ct status dnat counter accept", "iifname \"eth0\" counter drop"], table.Chains[3].Rules);
    }

    [Fact]
    public void MapsReadBackWithTypesFlagsAndElements()
    {
        var table = NftJsonReader.ReadRuleset(Json).OurTables["ip"];

        var ports = table.Maps.Single(m => m.Name == "dnat_ports");
        Assert.Equal("map dnat_ports { type inet_proto . inet_service : ipv4_addr . inet_service; counter; }", ports.Declaration);
        Assert.Equal(["tcp . 8080 : 10.7.8.9 . 80", "udp . 53 : 10.7.8.9 . 53"], ports.Elements.Select(e => e.ToString()).Order());
        var ranges = table.Maps.Single(m => m.Name == "dnat_ranges");
        Assert.Equal("map dnat_ranges { type inet_proto . inet_service : ipv4_addr; flags interval; counter; }", ranges.Declaration);
        Assert.Equal(["tcp . 7000-7010 : 10.7.8.9"], ranges.Elements.Select(e => e.ToString()));
        var marks = table.Maps.Single(m => m.Name == "home_marks");
        Assert.Equal(["tcp . 7000-7010 : 0x00002001", "tcp . 8080 : 0x00002000"], marks.Elements.Select(e => e.ToString()).Order());
    }

    [Fact]
    public void CountersComeFromRulesAndElements()
    {
        var counters = new List<RuleCounter>();
        NftJsonReader.ReadRuleset(Json, counters);

        Assert.Contains(new RuleCounter("ip redirect_router chain dnat_rules", "iifname \"eth0\" counter dnat ip to 10.7.8.10", 0, 0), counters);
        Assert.Contains(new RuleCounter("ip redirect_router map dnat_ports", "tcp . 8080 : 10.7.8.9 . 80", 0, 0), counters);
        Assert.DoesNotContain(counters, c => c.Rule.Contains("tcp dport 22", StringComparison.Ordinal)); // no counter statement
    }

    [Fact]
    public void VerifierListsExactDifferences()
    {
        var live = NftJsonReader.ReadRuleset(Json).OurTables["ip"];
        var desired = live with
        {
            Chains = live.Chains.Select(c => c.Name == "dnat_rules" ? c with { Rules = [.. c.Rules.Take(3)] } : c).ToArray().ToValueList(),
            Maps = live.Maps.Select(m => m.Name == "dnat_ports" ? m with { Elements = [new NftElement("tcp . 8080", "10.7.8.9 . 80"), new NftElement("tcp . 443", "10.7.8.9 . 443")] } : m).ToArray().ToValueList(),
        };
        List<string> missing = [], extra = [];

        NftVerifier.Compare(desired, live, missing, extra);

        Assert.Equal(["ip redirect_router map dnat_ports: tcp . 443 : 10.7.8.9 . 443"], missing);
        Assert.Equal(["ip redirect_router map dnat_ports: udp . 53 : 10.7.8.9 . 53", "ip redirect_router chain dnat_rules: iifname \"eth0\" tcp dport 22 accept"], extra);
    }

    [Fact]
    public void OneRulesetListingGivesOurTablesEveryChainAndForeignRules()
    {
        var counters = new List<RuleCounter>();

        var live = NftJsonReader.ReadRuleset(RulesetJson, counters);

        Assert.Equal(["ip", "ip6"], live.OurTables.Keys.Order());
        Assert.Equal(["dnat_rules", "snat_homes"], live.OurTables["ip"].Chains.Select(c => c.Name));
        Assert.Equal(["tcp . 8080 : 10.7.8.9 . 80"], live.OurTables["ip"].Maps.Single().Elements.Select(e => e.ToString()));
        Assert.Equal(["oifname \"macvlan0\" counter snat ip6 to fd00:12::99"], live.OurTables["ip6"].Chains.Single().Rules);
        Assert.Contains(new NftChainInfo("ip", "foreign", "early", "nat", "prerouting", -150), live.Chains);
        Assert.Contains(new NftChainInfo("ip", "redirect_router", "dnat_rules", "nat", "prerouting", -100), live.Chains);
        Assert.Equal(2, live.ForeignRules[("ip", "foreign", "early")].Count);
        Assert.StartsWith("iifname \"eth0\" tcp dport 8080 ", live.ForeignRules[("ip", "foreign", "early")][0], StringComparison.Ordinal);
        Assert.DoesNotContain(live.ForeignRules.Keys, k => k.Table == "redirect_router");
        // Counters of our rules and elements only, from both families.
        Assert.Contains(new RuleCounter("ip6 redirect_router chain snat_homes", "oifname \"macvlan0\" counter snat ip6 to fd00:12::99", 0, 0), counters);
        Assert.Contains(new RuleCounter("ip redirect_router map dnat_ports", "tcp . 8080 : 10.7.8.9 . 80", 0, 0), counters);
        Assert.DoesNotContain(counters, c => c.Location.Contains("foreign", StringComparison.Ordinal));
    }
}
