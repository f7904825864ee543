using System.Net.Sockets;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;
using RedirectRouter.Netfilter.Tests.Support;

namespace RedirectRouter.Netfilter.Tests.Rendering;

/// <summary>A name that bypassed the validator still cannot reach a ruleset: both renderers refuse it.</summary>
public sealed class RulesetTextTests
{
    public static TheoryData<string> BadNames => new(
        "eth0\"accept#", "eth+", "eth*", "eth0;", "eth\\", "eth\n0", "eth\0", "abcdefghijklmnop", "eth\u00e9", "eth\u202e0",
        "x\";};chain c{#", "$(reboot)", "a b", "", ".", "..", "eth0'", "{x}", "@m", "!eth0");

    private static IEnumerable<(string What, Func<NatModel, object> Render)> Renderers()
    {
        yield return ("nft plan", m => new NftRenderer().Render(m));
        yield return ("nft build", m => new NftRenderer().Build(m));
        yield return ("iptables plan", m => new IptablesRenderer().Render(m));
        yield return ("iptables build v4", m => new IptablesRenderer().Build(m, AddressFamily.InterNetwork));
        yield return ("iptables build v6", m => new IptablesRenderer().Build(m, AddressFamily.InterNetworkV6));
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public void RenderersRefuseAClusterInterfaceOutsideTheNameRule(string name)
    {
        var model = Models.SingleHome() with { ClusterInterface = name };
        foreach (var (what, render) in Renderers())
        {
            var error = Assert.Throws<ArgumentException>(() => render(model));
            Assert.True(error.Message.Contains("cannot be written into a ruleset", StringComparison.Ordinal), what);
            Assert.DoesNotContain(error.Message, c => c < ' ');
        }
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public void RenderersRefuseAHomeInterfaceOutsideTheNameRule(string name)
    {
        var single = Models.SingleHome();
        var model = single with
        {
            Snat = single.Snat.Select(s => s with { Interface = name }).ToValueList(),
            Homes = single.Homes.Select(h => h with { Interface = name }).ToValueList(),
        };
        foreach (var (_, render) in Renderers())
        {
            Assert.Throws<ArgumentException>(() => render(model));
        }
    }

    [Theory]
    [InlineData("eth0")]
    [InlineData("a")]
    [InlineData("...")]
    [InlineData("-x")]
    [InlineData("abcdefghijklmno")]
    [InlineData("A_b.c-9")]
    public void ANameInsideTheRuleIsWrittenAsIs(string name)
    {
        Assert.Equal(name, RulesetText.Name(name, quoted: false));
        Assert.Equal($"\"{name}\"", RulesetText.Name(name, quoted: true));
    }
}
