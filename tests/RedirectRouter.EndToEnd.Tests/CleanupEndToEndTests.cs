namespace RedirectRouter.EndToEnd.Tests;

/// <summary>
/// <c>cleanup</c> after <c>init</c>: the router's namespace is back as the lab made it (links, global addresses,
/// every routing table, policy rules, the nftables ruleset, the node's links), and a second run removes nothing.
/// </summary>
public sealed class CleanupEndToEndTests
{
    [Fact]
    public void CleanupInsideTheRouterLeavesTheLabAsCreatedTwiceInARow()
    {
        using var lab = new Lab();
        var config = DiagEndToEndTests.WriteConfig(lab);
        var pristine = Snapshot(lab);
        DiagEndToEndTests.Init(lab, config);
        Assert.NotEqual(pristine, Snapshot(lab));

        var first = lab.RunAgent(null, "cleanup");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("removed: delete link macvlan0", first.Output);
        Assert.Contains("removed: delete route 0.0.0.0/0 via 192.168.12.1 dev macvlan0", first.Output);
        Assert.Contains("removed: delete nftables table ip redirect_router", first.Output);
        Assert.Equal(pristine, Snapshot(lab));

        var second = lab.RunAgent(null, "cleanup");

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.DoesNotContain("removed:", second.Output);
        Assert.Contains("nothing to remove", second.Output);
        Assert.Equal(pristine, Snapshot(lab));
    }

    [Fact]
    public void CleanupFromTheNodeSideRemovesTwoHomesWithTheirTablesAndRulesTwiceInARow()
    {
        using var lab = new Lab();
        var config = DiagEndToEndTests.WriteConfig(lab, """
            homes:
              - name: a
                parent: nic0
                addresses: [192.168.12.99/24, fd00:12::99/64]
                gateways: [192.168.12.1, fd00:12::1]
              - name: b
                parent: nic1
                interface: macvlan1
                addresses: [192.168.13.99/24]
                gateways: [192.168.13.1]
            rules:
              - { protocol: tcp, port: 8080, destination: 172.16.100.25, targetPort: 80, home: a }
              - { protocol: tcp, port: 8081, destination: 172.16.100.25, targetPort: 80, home: b }
              - { protocol: tcp, port: 8443, destination: "fd00:100::25", targetPort: 443, home: a }
            """);
        var pristine = Snapshot(lab);
        DiagEndToEndTests.Init(lab, config);
        Assert.Contains("lookup 101", lab.Router.Ip("rule", "show"));

        var first = lab.RunAgentIn(lab.Node, [], null, "cleanup", "--netns", lab.Router.Name);

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("removed: delete link macvlan0", first.Output);
        Assert.Contains("removed: delete link macvlan1", first.Output);
        Assert.Contains("removed: delete rule", first.Output);
        Assert.Contains("removed: delete nftables table ip6 redirect_router", first.Output);
        Assert.Equal(pristine, Snapshot(lab));

        var second = lab.RunAgentIn(lab.Node, [], null, "cleanup", "--netns", lab.Router.Name);

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("nothing to remove", second.Output);
        Assert.Equal(pristine, Snapshot(lab));
    }

    // The init tests' snapshot (links, global addresses, all routing tables, rules, nft ruleset, the node's links) plus
    // ip -j of the links and rules. Left out: the subnet-router anycast routes the kernel adds to the local table while
    // IPv6 forwarding is on; forwarding is a namespace setting the agent turns on and cleanup leaves as it is.
    private static string Snapshot(Lab lab) => string.Join('\n', InitEndToEndTests.Snapshot(lab).Split('\n')
            .Where(line => !line.StartsWith("anycast ", StringComparison.Ordinal)))
        + lab.Router.IpJson("-d", "link", "show").GetRawText()
        + lab.Router.IpJson("rule", "show").GetRawText();
}
