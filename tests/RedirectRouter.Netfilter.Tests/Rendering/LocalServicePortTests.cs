using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;
using RedirectRouter.Netfilter.Tests.Support;

namespace RedirectRouter.Netfilter.Tests.Rendering;

/// <summary>The router's own health/metrics port is exempt from redirection, ahead of every DNAT and the fallback.</summary>
public sealed class LocalServicePortTests
{
    [Fact]
    public void IptablesReturnsBeforeAnyDnat()
    {
        var nat = Models.SingleHome() with { LocalTcpPorts = [9100] };
        var text = new IptablesRenderer().Render(nat);
        var lines = text.Split('\n').Where(l => l.StartsWith("-A RR-DNAT", StringComparison.Ordinal)).ToArray();
        Assert.Equal("-A RR-DNAT -i eth0 -p tcp -m tcp --dport 9100 -j RETURN", lines[0]);
        Assert.DoesNotContain("9100", new IptablesRenderer().Render(Models.SingleHome()));
    }

    [Fact]
    public void NftablesAcceptsBeforeTheMapsAndTheFallback()
    {
        var nat = Models.SingleHome() with { LocalTcpPorts = [9100] };
        var text = new NftRenderer().Render(nat);
        var exempt = text.IndexOf("iifname \"eth0\" tcp dport 9100 counter accept", StringComparison.Ordinal);
        Assert.True(exempt >= 0, text);
        Assert.True(exempt < text.IndexOf("map @dnat_ports", StringComparison.Ordinal), text);
    }
}
