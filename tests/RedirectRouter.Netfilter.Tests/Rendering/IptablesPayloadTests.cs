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
            [5:300] -A PREROUTING -j RR-DNAT
            [0:0] -A PREROUTING -s 10.0.0.1/32 -j ACCEPT
            [0:0] -A POSTROUTING -j RR-SNAT
            [0:0] -A POSTROUTING -j RR-SNAT
            COMMIT
            """);

        var payload = IptablesPayload.Build(Desired, live);

        Assert.DoesNotContain("-I PREROUTING", payload);
        Assert.DoesNotContain("-I POSTROUTING", payload);
        Assert.Single(payload.Split('\n'), l => l == "-D POSTROUTING -j RR-SNAT");
        Assert.Contains("-I FORWARD -j RR-FORWARD\n", payload); // the filter table had no jump
        Assert.DoesNotContain("ACCEPT\n-D", payload);
    }

    [Fact]
    public void StaleChainsAreFlushedUnreferencedAndDeleted()
    {
        var live = IptablesSaveState.Parse("""
            *mangle
            :PREROUTING ACCEPT [0:0]
            :RR-MARK - [0:0]
            :FOREIGN - [0:0]
            -A PREROUTING -j RR-MARK
            -A FOREIGN -i eth1 -j RR-MARK
            -A RR-MARK -i eth0 -j MARK --set-xmark 0x2000/0xffffffff
            COMMIT
            """);

        var payload = IptablesPayload.Build(Desired, live);

        Assert.StartsWith("""
            *mangle
            :RR-MARK - [0:0]
            -D PREROUTING -j RR-MARK
            -D FOREIGN -i eth1 -j RR-MARK
            -X RR-MARK
            COMMIT
            *nat
            """, payload);
    }

    [Fact]
    public void CleanupOfNothingIsEmpty()
    {
        var live = IptablesSaveState.Parse("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j FOREIGN\nCOMMIT\n");

        Assert.Equal("", IptablesPayload.Build(new IptablesRuleset(AddressFamily.InterNetwork, []), live));
    }
}
