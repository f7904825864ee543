using RedirectRouter.Core.Model;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Kernel;

public sealed class ProbeKernelTests
{
    [Fact]
    public async Task ProbeFindsBothFlavoursAndAUsableNftAndChangesNothing()
    {
        using var ns = TestNamespace.Create("probe");
        var target = new NetfilterTarget(ns.Handle.Path);
        var nft = await NetfilterProbe.ProbeAsync(CliWrapCommandRunner.Instance, target, IptablesTools.Nft, TestContext.Current.CancellationToken);
        var legacy = await NetfilterProbe.ProbeAsync(CliWrapCommandRunner.Instance, target, IptablesTools.Legacy, TestContext.Current.CancellationToken);

        Assert.True(nft.NftUsable, nft.NftProblem);
        Assert.Equal(IptablesVariant.NfTables, nft.IptablesVariant);
        Assert.Equal(IptablesVariant.Legacy, legacy.IptablesVariant);
        Assert.True(nft.RestoreSupportsWait);
        Assert.True(nft.Ip6tables);
        Assert.Equal(NetfilterBackend.Nftables, nft.Choose(NetfilterBackend.Auto));
        Assert.Equal(NetfilterBackend.Iptables, nft.Choose(NetfilterBackend.Iptables));
        Assert.Equal("", TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", "list", "ruleset"]).Trim());
    }
}
