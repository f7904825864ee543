using System.Net.Sockets;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Tests.Support;

namespace RedirectRouter.Netfilter.Tests.Rendering;

public sealed class IptablesPayloadTests
{
    private static readonly IptablesRuleset Desired = new IptablesRenderer().Build(Models.SingleHome(), AddressFamily.InterNetwork);

    [Fact]
    public void PresentJumpsAreNotInsertedAgainAndDuplicatesAreDeleted()
    {
        var live = IptablesSaveState.Parse("""
            *nat
            :PREROUTING ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :RR-DNAT - [0:0]
            :RR-SNAT - [0:0]
            [5:300] -A PREROUTING -m comment --comment redirect-router -j RR-DNAT
            [0:0] -A PREROUTING -s 10.0.0.1/32 -j ACCEPT
            [0:0] -A POSTROUTING -m comment --comment redirect-router -j RR-SNAT
            [0:0] -A POSTROUTING -m comment --comment redirect-router -j RR-SNAT
            COMMIT
            """);

        var payload = IptablesPayload.Build(Desired, live);

        Assert.DoesNotContain("-I PREROUTING", payload);
        Assert.DoesNotContain("-I POSTROUTING", payload);
        Assert.Single(payload.Split('\n'), l => l == "-D POSTROUTING -m comment --comment redirect-router -j RR-SNAT");
        Assert.Contains("-I FORWARD -m comment --comment redirect-router -j RR-FORWARD\n", payload); // the filter table had no jump
        Assert.DoesNotContain("ACCEPT\n-D", payload);
    }

    [Fact]
    public void StaleChainsAreFlushedAndDeletedWithOurJumpsOnly()
    {
        var live = IptablesSaveState.Parse("""
            *mangle
            :PREROUTING ACCEPT [0:0]
            :RR-MARK - [0:0]
            :RR-OLD - [0:0]
            -A PREROUTING -m comment --comment redirect-router -j RR-MARK
            -A PREROUTING -m comment --comment redirect-router -j RR-OLD
            -A RR-MARK -i eth0 -j MARK --set-xmark 0x2000/0xffffffff
            COMMIT
            """);

        var payload = IptablesPayload.Build(Desired, live);

        Assert.StartsWith("""
            *mangle
            :RR-MARK - [0:0]
            :RR-OLD - [0:0]
            -D PREROUTING -m comment --comment redirect-router -j RR-MARK
            -D PREROUTING -m comment --comment redirect-router -j RR-OLD
            -X RR-MARK
            -X RR-OLD
            COMMIT
            *nat
            """, payload);
    }

    [Fact]
    public void AChainWithOurPrefixButNoJumpOfOursIsNotOursAndForeignJumpsStay()
    {
        var live = IptablesSaveState.Parse("""
            *mangle
            :PREROUTING ACCEPT [0:0]
            :RR-MARK - [0:0]
            :RR-FOREIGN - [0:0]
            :FOREIGN - [0:0]
            -A PREROUTING -m comment --comment redirect-router -j RR-MARK
            -A PREROUTING -j RR-FOREIGN
            -A FOREIGN -i eth1 -j RR-MARK
            -A RR-FOREIGN -j ACCEPT
            -A RR-MARK -i eth0 -j MARK --set-xmark 0x2000/0xffffffff
            COMMIT
            """);

        var payload = IptablesPayload.Build(new IptablesRuleset(AddressFamily.InterNetwork, []), live);

        // RR-MARK is ours (our jump leads to it): flushed, our jump deleted; a foreign rule still jumps there, so the
        // (now empty) chain stays. RR-FOREIGN is not ours: untouched.
        Assert.Equal("""
            *mangle
            :RR-MARK - [0:0]
            -D PREROUTING -m comment --comment redirect-router -j RR-MARK
            COMMIT

            """, payload);
    }

    [Fact]
    public void CleanupOfNothingIsEmpty()
    {
        var live = IptablesSaveState.Parse("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j FOREIGN\nCOMMIT\n");

        Assert.Equal("", IptablesPayload.Build(new IptablesRuleset(AddressFamily.InterNetwork, []), live));
    }
}

public sealed class OwnershipMarkTests
{
    [Theory]
    [InlineData("-A PREROUTING -m comment --comment redirect-router -j RR-DNAT", true)]
    [InlineData("-A PREROUTING -m comment --comment \"redirect-router\" -j RR-DNAT", true)]
    [InlineData("-A PREROUTING -j RR-DNAT", false)]
    [InlineData("-A PREROUTING -m comment --comment \"not redirect-router\" -j RR-DNAT", false)]
    [InlineData("-A PREROUTING -m comment --comment redirect-router-x -j RR-DNAT", false)]
    public void OnlyJumpsWithExactlyOurCommentAreMarked(string rule, bool marked)
    {
        Assert.Equal(marked, Iptables.IptablesOwnership.IsMarked(new Iptables.SavedRule(rule, 0, 0)));
    }

    [Fact]
    public void OnlyATableLevelCommentMarksAnNftTable()
    {
        Assert.True(Nftables.NftablesBackend.IsMarked("table ip redirect_router {\n\tcomment \"redirect-router\"\n\tchain c {\n\t}\n}\n"));
        Assert.False(Nftables.NftablesBackend.IsMarked("table ip redirect_router {\n\tchain c {\n\t\tcomment \"redirect-router\"\n\t}\n}\n"));
        Assert.False(Nftables.NftablesBackend.IsMarked("table ip redirect_router {\n\tchain c {\n\t\tcounter accept comment \"redirect-router\"\n\t}\n}\n"));
        Assert.False(Nftables.NftablesBackend.IsMarked("table ip redirect_router {\n\tcomment \"someone else\"\n}\n"));
    }
}
