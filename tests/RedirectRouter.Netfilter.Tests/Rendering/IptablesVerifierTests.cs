using System.Net.Sockets;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Tests.Support;

namespace RedirectRouter.Netfilter.Tests.Rendering;

public sealed class IptablesVerifierTests
{
    private static readonly IptablesRuleset Desired = new IptablesRenderer().Build(Models.SingleHome(), AddressFamily.InterNetwork);

    private static string Dump(string natPrerouting = "-A PREROUTING -m comment --comment redirect-router -j RR-DNAT", string? dnatOverride = null)
    {
        var dnat = dnatOverride ?? string.Join('\n', Desired.Chains.Single(c => c.Name == "RR-DNAT").Rules.Select(r => "[1:60] " + r));
        return $"""
            *nat
            :PREROUTING ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :RR-DNAT - [0:0]
            :RR-SNAT - [0:0]
            {natPrerouting}
            -A POSTROUTING -m comment --comment redirect-router -j RR-SNAT
            {dnat}
            -A RR-SNAT -o macvlan0 -j SNAT --to-source 192.168.12.99
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :RR-FORWARD - [0:0]
            :RR-INPUT - [0:0]
            -A INPUT -m comment --comment redirect-router -j RR-INPUT
            -A FORWARD -m comment --comment redirect-router -j RR-FORWARD
            -A RR-FORWARD -i eth0 -m conntrack --ctstate DNAT --ctdir ORIGINAL -j ACCEPT
            -A RR-FORWARD -m conntrack --ctstate DNAT --ctdir REPLY -j ACCEPT
            -A RR-FORWARD -i eth0 -j DROP
            -A RR-FORWARD -j DROP
            -A RR-INPUT -i macvlan0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A RR-INPUT -i macvlan0 -j DROP
            COMMIT
            """;
    }

    private static (List<string> Missing, List<string> Extra, List<string> Shadowing) Compare(string dump)
    {
        List<string> missing = [], extra = [], shadowing = [];
        IptablesVerifier.Compare(Desired, IptablesSaveState.Parse(dump), "eth0", ["macvlan0"], missing, extra, shadowing);
        return (missing, extra, shadowing);
    }

    [Fact]
    public void ExactStateIsClean()
    {
        var (missing, extra, shadowing) = Compare(Dump());
        Assert.Empty(missing);
        Assert.Empty(extra);
        Assert.Empty(shadowing);
    }

    [Fact]
    public void DeletedRuleIsMissing()
    {
        var rules = Desired.Chains.Single(c => c.Name == "RR-DNAT").Rules;
        var (missing, extra, _) = Compare(Dump(dnatOverride: string.Join('\n', rules.Skip(1))));
        Assert.Equal(["iptables nat: -A RR-DNAT -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80"], missing);
        Assert.Empty(extra);
    }

    [Fact]
    public void ForeignTerminalRuleBeforeOurJumpShadowsUnlessItIsForAnotherInterface()
    {
        var (_, _, shadowing) = Compare(Dump("-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j ACCEPT\n-A PREROUTING -i eth1 -j ACCEPT\n-A PREROUTING -j LOG\n-A PREROUTING -m comment --comment redirect-router -j RR-DNAT"));
        Assert.Equal(["iptables nat: -A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j ACCEPT"], shadowing);
    }

    [Fact]
    public void ForeignAcceptBeforeOurFilterShadowsItFromTheEgressSideToo()
    {
        var forward = IptablesSaveState.Parse("*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -i macvlan0 -j ACCEPT\n-A FORWARD -i lo -j ACCEPT\n-A FORWARD -j RR-FORWARD\nCOMMIT\n").Table("filter")!.RulesOf("FORWARD");
        Assert.True(IptablesVerifier.Shadows(forward[0], "FORWARD", "eth0", ["macvlan0"]));
        Assert.False(IptablesVerifier.Shadows(forward[1], "FORWARD", "eth0", ["macvlan0"]));
        // In PREROUTING only the cluster side matters: our DNAT never sees the egress side.
        Assert.False(IptablesVerifier.Shadows(forward[0], "PREROUTING", "eth0", ["macvlan0"]));
    }

    [Fact]
    public void MissingJumpAndReorderedRulesAreReported()
    {
        var rules = Desired.Chains.Single(c => c.Name == "RR-DNAT").Rules;
        var (missing, extra, _) = Compare(Dump("", string.Join('\n', rules.Reverse())));
        Assert.Equal(["iptables nat: -A PREROUTING -m comment --comment redirect-router -j RR-DNAT"], missing);
        Assert.Equal(["iptables nat: rules of RR-DNAT are out of order"], extra);
    }
}
