using System.Net;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Nftables;
using RedirectRouter.Netfilter.Tests.Support;

namespace RedirectRouter.Netfilter.Tests.Rendering;

public sealed class NftRendererTests
{
    [Fact]
    public void SingleHomeRendersOneTransactionWithMaps()
    {
        var text = new NftRenderer().Render(Models.SingleHome());

        Assert.Equal("""
            add table ip redirect_router
            delete table ip redirect_router
            add table ip6 redirect_router
            delete table ip6 redirect_router
            table ip redirect_router {
            	comment "redirect-router"
            	map dnat_ports {
            		type inet_proto . inet_service : ipv4_addr . inet_service
            		counter
            		elements = {
            			tcp . 8080 : 10.7.8.9 . 80,
            			udp . 53 : 10.7.8.9 . 53,
            			udp . 8000 : 10.7.8.9 . 9000,
            			udp . 8001 : 10.7.8.9 . 9001,
            			udp . 8002 : 10.7.8.9 . 9002,
            			sctp . 99 : 10.7.8.9 . 99
            		}
            	}
            	map dnat_ranges {
            		type inet_proto . inet_service : ipv4_addr
            		flags interval
            		counter
            		elements = {
            			tcp . 7000-7010 : 10.7.8.9
            		}
            	}
            	chain dnat_rules {
            		type nat hook prerouting priority dstnat; policy accept;
            		iifname "eth0" counter dnat ip to meta l4proto . th dport map @dnat_ports
            		iifname "eth0" counter dnat ip to meta l4proto . th dport map @dnat_ranges
            		iifname "eth0" counter dnat ip to 10.7.8.10
            	}
            	chain snat_homes {
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "macvlan0" counter snat ip to 192.168.12.99
            	}
            	chain forward_filter {
            		type filter hook forward priority filter; policy accept;
            		iifname "eth0" ct direction original ct status dnat counter accept
            		ct direction reply ct status dnat counter accept
            		iifname "eth0" counter drop
            		counter drop
            	}
            	chain input_filter {
            		type filter hook input priority filter; policy accept;
            		iifname "macvlan0" ct state established,related accept
            		iifname "macvlan0" counter drop
            	}
            }
            table ip6 redirect_router {
            	comment "redirect-router"
            	chain forward_filter {
            		type filter hook forward priority filter; policy accept;
            		iifname "eth0" ct direction original ct status dnat counter accept
            		ct direction reply ct status dnat counter accept
            		iifname "eth0" counter drop
            		counter drop
            	}
            	chain input_filter {
            		type filter hook input priority filter; policy accept;
            		iifname "macvlan0" icmpv6 type { mld-listener-query, nd-neighbor-solicit, nd-neighbor-advert } accept
            		iifname "macvlan0" ct state established,related accept
            		iifname "macvlan0" counter drop
            	}
            }

            """, text);
    }

    [Fact]
    public void MultiHomeDualStackRendersMarksAndAnIp6Table()
    {
        var text = new NftRenderer().Render(Models.MultiHomeDualStack());

        Assert.Contains("""
            table ip redirect_router {
            	comment "redirect-router"
            	map dnat_ports {
            		type inet_proto . inet_service : ipv4_addr . inet_service
            		counter
            		elements = {
            			tcp . 8080 : 10.7.8.9 . 80,
            			tcp . 9090 : 172.16.5.5 . 9090
            		}
            	}
            	map dnat_ranges {
            		type inet_proto . inet_service : ipv4_addr
            		flags interval
            		counter
            	}
            	map home_marks {
            		type inet_proto . inet_service : mark
            		flags interval
            		elements = {
            			tcp . 8080 : 0x00002000,
            			tcp . 9090 : 0x00002001
            		}
            	}
            	chain mark_homes {
            		type filter hook prerouting priority mangle; policy accept;
            		iifname "eth0" meta mark set 0x00002000
            		iifname "eth0" meta mark set meta l4proto . th dport map @home_marks
            	}
            """, text);
        Assert.Contains("""
            table ip6 redirect_router {
            	comment "redirect-router"
            	map dnat_ports {
            		type inet_proto . inet_service : ipv6_addr . inet_service
            		counter
            		elements = {
            			tcp . 8080 : fd00:12::50 . 80
            		}
            	}
            """, text);
        Assert.Contains("\t\tiifname \"eth0\" counter dnat ip6 to fd00:12::51\n", text);
        Assert.Contains("\t\toifname \"egress0\" counter snat ip6 to fd00:12::99\n\t}", text);
        Assert.DoesNotContain("snat ip6 to 172", text);
    }

    [Fact]
    public void ElementDeltaChangesOnlyElements()
    {
        var renderer = new NftRenderer();
        var before = Models.SingleHome();
        var after = before with
        {
            Dnat = before.Dnat.Where(d => d.LocalPorts.First != 53)
                .Select(d => d.LocalPorts.First == 8080 ? d with { TargetPorts = PortRange.Single(81) } : d)
                .Append(new DnatEntry(Protocol.Tcp, PortRange.Single(443), IPAddress.Parse("10.7.8.11"), null, "main"))
                .ToValueList(),
        };

        var delta = NftRenderer.ElementDelta(renderer.Build(before), renderer.Build(after));

        Assert.Equal("""
            delete element ip redirect_router dnat_ports { tcp . 8080, udp . 53 }
            add element ip redirect_router dnat_ports { tcp . 8080 : 10.7.8.9 . 81, tcp . 443 : 10.7.8.11 . 443 }

            """, delta);
        Assert.Equal("", NftRenderer.ElementDelta(renderer.Build(after), renderer.Build(after)));
    }

    [Fact]
    public void ElementDeltaRefusesStructuralChanges()
    {
        var renderer = new NftRenderer();
        var before = Models.SingleHome();

        Assert.Null(NftRenderer.ElementDelta(renderer.Build(before), renderer.Build(before with { Fallbacks = [] })));
        Assert.Null(NftRenderer.ElementDelta(renderer.Build(before), renderer.Build(before with { ClusterInterface = "eth1" })));
        Assert.Null(NftRenderer.ElementDelta(renderer.Build(before), renderer.Build(Models.MultiHomeDualStack())));
    }
}
