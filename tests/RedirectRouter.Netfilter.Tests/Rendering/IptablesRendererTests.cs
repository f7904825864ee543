using System.Net.Sockets;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Tests.Support;

namespace RedirectRouter.Netfilter.Tests.Rendering;

public sealed class IptablesRendererTests
{
    [Fact]
    public void SingleHomeRendersOwnChainsInSaveForm()
    {
        var text = new IptablesRenderer(dnatPortShift: true).Render(Models.SingleHome());

        Assert.Equal("""
            # iptables-restore --noflush
            *nat
            :RR-DNAT - [0:0]
            :RR-SNAT - [0:0]
            -A RR-DNAT -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80
            -A RR-DNAT -i eth0 -p udp -m udp --dport 53 -j DNAT --to-destination 10.7.8.9
            -A RR-DNAT -i eth0 -p udp -m udp --dport 8000:8002 -j DNAT --to-destination 10.7.8.9:9000-9002/8000
            -A RR-DNAT -i eth0 -p tcp -m tcp --dport 7000:7010 -j DNAT --to-destination 10.7.8.9
            -A RR-DNAT -i eth0 -p sctp -m sctp --dport 99 -j DNAT --to-destination 10.7.8.9
            -A RR-DNAT -i eth0 -j DNAT --to-destination 10.7.8.10
            -I PREROUTING -m comment --comment redirect-router -j RR-DNAT
            -A RR-SNAT -o macvlan0 -j SNAT --to-source 192.168.12.99
            -I POSTROUTING -m comment --comment redirect-router -j RR-SNAT
            COMMIT
            *filter
            :RR-FORWARD - [0:0]
            :RR-INPUT - [0:0]
            -A RR-FORWARD -i eth0 -m conntrack --ctstate DNAT --ctdir ORIGINAL -j ACCEPT
            -A RR-FORWARD -m conntrack --ctstate DNAT --ctdir REPLY -j ACCEPT
            -A RR-FORWARD -i eth0 -j DROP
            -A RR-FORWARD -j DROP
            -I FORWARD -m comment --comment redirect-router -j RR-FORWARD
            -A RR-INPUT -i macvlan0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A RR-INPUT -i macvlan0 -j DROP
            -I INPUT -m comment --comment redirect-router -j RR-INPUT
            COMMIT
            # ip6tables-restore --noflush
            *filter
            :RR-FORWARD - [0:0]
            :RR-INPUT - [0:0]
            -A RR-FORWARD -i eth0 -m conntrack --ctstate DNAT --ctdir ORIGINAL -j ACCEPT
            -A RR-FORWARD -m conntrack --ctstate DNAT --ctdir REPLY -j ACCEPT
            -A RR-FORWARD -i eth0 -j DROP
            -A RR-FORWARD -j DROP
            -I FORWARD -m comment --comment redirect-router -j RR-FORWARD
            -A RR-INPUT -i macvlan0 -p ipv6-icmp -m icmp6 --icmpv6-type 130 -j ACCEPT
            -A RR-INPUT -i macvlan0 -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT
            -A RR-INPUT -i macvlan0 -p ipv6-icmp -m icmp6 --icmpv6-type 136 -j ACCEPT
            -A RR-INPUT -i macvlan0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A RR-INPUT -i macvlan0 -j DROP
            -I INPUT -m comment --comment redirect-router -j RR-INPUT
            COMMIT

            """, text);
    }

    [Fact]
    public void WithoutPortShiftARemappedRangeIsOneRulePerPort()
    {
        var chain = new IptablesRenderer(dnatPortShift: false).Build(Models.SingleHome(), AddressFamily.InterNetwork).Chains.Single(c => c.Name == "RR-DNAT");

        Assert.Equal(
        [
            "-A RR-DNAT -i eth0 -p udp -m udp --dport 8000 -j DNAT --to-destination 10.7.8.9:9000",
            "-A RR-DNAT -i eth0 -p udp -m udp --dport 8001 -j DNAT --to-destination 10.7.8.9:9001",
            "-A RR-DNAT -i eth0 -p udp -m udp --dport 8002 -j DNAT --to-destination 10.7.8.9:9002",
        ], chain.Rules.Where(r => r.Contains("udp", StringComparison.Ordinal) && r.Contains(":900", StringComparison.Ordinal)));
    }

    [Fact]
    public void MultiHomeDualStackRendersMarksAndBothFamilies()
    {
        var text = new IptablesRenderer().Render(Models.MultiHomeDualStack());

        Assert.Equal("""
            # iptables-restore --noflush
            *mangle
            :RR-MARK - [0:0]
            -A RR-MARK -i eth0 -j MARK --set-xmark 0x2000/0xffffffff
            -A RR-MARK -i eth0 -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x2000/0xffffffff
            -A RR-MARK -i eth0 -p tcp -m tcp --dport 9090 -j MARK --set-xmark 0x2001/0xffffffff
            -I PREROUTING -m comment --comment redirect-router -j RR-MARK
            COMMIT
            *nat
            :RR-DNAT - [0:0]
            :RR-SNAT - [0:0]
            -A RR-DNAT -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80
            -A RR-DNAT -i eth0 -p tcp -m tcp --dport 9090 -j DNAT --to-destination 172.16.5.5
            -A RR-DNAT -i eth0 -j DNAT --to-destination 10.7.8.10
            -I PREROUTING -m comment --comment redirect-router -j RR-DNAT
            -A RR-SNAT -o egress0 -j SNAT --to-source 192.168.12.99
            -A RR-SNAT -o egress1 -j SNAT --to-source 172.16.0.99
            -I POSTROUTING -m comment --comment redirect-router -j RR-SNAT
            COMMIT
            *filter
            :RR-FORWARD - [0:0]
            :RR-INPUT - [0:0]
            -A RR-FORWARD -i eth0 -m conntrack --ctstate DNAT --ctdir ORIGINAL -j ACCEPT
            -A RR-FORWARD -m conntrack --ctstate DNAT --ctdir REPLY -j ACCEPT
            -A RR-FORWARD -i eth0 -j DROP
            -A RR-FORWARD -j DROP
            -I FORWARD -m comment --comment redirect-router -j RR-FORWARD
            -A RR-INPUT -i egress0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A RR-INPUT -i egress0 -j DROP
            -A RR-INPUT -i egress1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A RR-INPUT -i egress1 -j DROP
            -I INPUT -m comment --comment redirect-router -j RR-INPUT
            COMMIT
            # ip6tables-restore --noflush
            *mangle
            :RR-MARK - [0:0]
            -A RR-MARK -i eth0 -j MARK --set-xmark 0x2000/0xffffffff
            -A RR-MARK -i eth0 -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x2000/0xffffffff
            -I PREROUTING -m comment --comment redirect-router -j RR-MARK
            COMMIT
            *nat
            :RR-DNAT - [0:0]
            :RR-SNAT - [0:0]
            -A RR-DNAT -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:12::50]:80
            -A RR-DNAT -i eth0 -j DNAT --to-destination fd00:12::51
            -I PREROUTING -m comment --comment redirect-router -j RR-DNAT
            -A RR-SNAT -o egress0 -j SNAT --to-source fd00:12::99
            -I POSTROUTING -m comment --comment redirect-router -j RR-SNAT
            COMMIT
            *filter
            :RR-FORWARD - [0:0]
            :RR-INPUT - [0:0]
            -A RR-FORWARD -i eth0 -m conntrack --ctstate DNAT --ctdir ORIGINAL -j ACCEPT
            -A RR-FORWARD -m conntrack --ctstate DNAT --ctdir REPLY -j ACCEPT
            -A RR-FORWARD -i eth0 -j DROP
            -A RR-FORWARD -j DROP
            -I FORWARD -m comment --comment redirect-router -j RR-FORWARD
            -A RR-INPUT -i egress0 -p ipv6-icmp -m icmp6 --icmpv6-type 130 -j ACCEPT
            -A RR-INPUT -i egress0 -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT
            -A RR-INPUT -i egress0 -p ipv6-icmp -m icmp6 --icmpv6-type 136 -j ACCEPT
            -A RR-INPUT -i egress0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A RR-INPUT -i egress0 -j DROP
            -A RR-INPUT -i egress1 -p ipv6-icmp -m icmp6 --icmpv6-type 130 -j ACCEPT
            -A RR-INPUT -i egress1 -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT
            -A RR-INPUT -i egress1 -p ipv6-icmp -m icmp6 --icmpv6-type 136 -j ACCEPT
            -A RR-INPUT -i egress1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A RR-INPUT -i egress1 -j DROP
            -I INPUT -m comment --comment redirect-router -j RR-INPUT
            COMMIT

            """, text);
    }
}
