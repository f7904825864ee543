using RedirectRouter.Netfilter.Tests.Support;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Kernel;

public sealed class VerifyKernelTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Backends.IptNft)]
    [InlineData(Backends.IptLegacy)]
    public async Task IptablesVerificationDetectsDeletedShadowingAndFlushedRules(string name)
    {
        using var ns = TestNamespace.Create("verify");
        var backend = await Backends.CreateAsync(name, ns);
        var model = Models.SingleHome();
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);

        Backends.Iptables(name, ns, false, "-t", "nat", "-D", "RR-DNAT", "-i", "eth0", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "10.7.8.9:80");
        var deleted = await backend.VerifyAsync(model, Cancel);
        Assert.Equal(["iptables nat: -A RR-DNAT -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80"], deleted.Missing);
        Assert.Empty(deleted.Extra);

        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);
        Backends.Iptables(name, ns, false, "-t", "nat", "-I", "PREROUTING", "1", "-i", "eth0", "-p", "tcp", "--dport", "8080", "-j", "ACCEPT");
        Backends.Iptables(name, ns, false, "-t", "nat", "-I", "RR-SNAT", "1", "-j", "RETURN");
        var shadowed = await backend.VerifyAsync(model, Cancel);
        Assert.Equal(["iptables nat: -A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j ACCEPT"], shadowed.Shadowing);
        Assert.Equal(["iptables nat: -A RR-SNAT -j RETURN"], shadowed.Extra);
        Assert.Empty(shadowed.Missing);

        Backends.Iptables(name, ns, false, "-t", "nat", "-F", "RR-DNAT");
        var flushed = await backend.VerifyAsync(model, Cancel);
        Assert.Equal(6, flushed.Missing.Count);
        Assert.All(flushed.Missing, m => Assert.StartsWith("iptables nat: -A RR-DNAT", m, StringComparison.Ordinal));

        // The next apply repairs our chains; the foreign rule in PREROUTING stays, and is still reported.
        var repaired = await backend.ApplyAsync(model, Cancel);
        Assert.Empty(repaired.Drift.Missing);
        Assert.Empty(repaired.Drift.Extra);
        Assert.Single(repaired.Drift.Shadowing);
        Assert.Contains("-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j ACCEPT", Backends.Iptables(name, ns, false, "-t", "nat", "-S"));
        await backend.CleanupAsync(Cancel);
    }

    [Fact]
    public async Task NftVerificationDetectsDeletedShadowingAndFlushedRules()
    {
        using var ns = TestNamespace.Create("nverify");
        var backend = await Backends.CreateAsync(Backends.Nft, ns);
        var model = Models.SingleHome();
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);

        Backends.Exec(ns, "nft", "delete", "element", "ip", "redirect_router", "dnat_ports", "{ tcp . 8080 }");
        var deleted = await backend.VerifyAsync(model, Cancel);
        Assert.Equal(["ip redirect_router map dnat_ports: tcp . 8080 : 10.7.8.9 . 80"], deleted.Missing);
        Assert.Empty(deleted.Extra);

        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);
        Backends.Exec(ns, "nft", "insert", "rule", "ip", "redirect_router", "dnat_rules", "iifname", "eth0", "tcp", "dport", "8080", "accept");
        Backends.Exec(ns, "nft", "add", "table", "ip", "foreign");
        Backends.Exec(ns, "nft", "add", "chain", "ip", "foreign", "pre", "{ type nat hook prerouting priority -110; policy accept; }");
        Backends.Exec(ns, "nft", "add", "rule", "ip", "foreign", "pre", "tcp", "dport", "8080", "dnat", "to", "10.1.1.1");
        var shadowed = await backend.VerifyAsync(model, Cancel);
        Assert.Equal(["ip redirect_router chain dnat_rules: iifname \"eth0\" tcp dport 8080 accept"], shadowed.Extra);
        Assert.Equal(["ip foreign chain pre (priority -110): tcp dport 8080 dnat ip to 10.1.1.1"], shadowed.Shadowing);
        Assert.Empty(shadowed.Missing);

        Backends.Exec(ns, "nft", "delete", "table", "ip", "foreign");
        Backends.Exec(ns, "nft", "flush", "table", "ip", "redirect_router");
        var flushed = await backend.VerifyAsync(model, Cancel);
        Assert.Contains("ip redirect_router chain dnat_rules: iifname \"eth0\" counter dnat ip to 10.7.8.10", flushed.Missing);
        Assert.Contains("ip redirect_router chain forward_filter: iifname \"eth0\" counter drop", flushed.Missing);

        Backends.Exec(ns, "nft", "delete", "table", "ip", "redirect_router");
        Assert.Equal(["table ip redirect_router"], (await backend.VerifyAsync(model, Cancel)).Missing);

        // The in-memory state says "applied", but the next apply notices and replaces the table.
        var repaired = await backend.ApplyAsync(model, Cancel);
        Assert.False(repaired.Incremental);
        Assert.True(repaired.Drift.IsClean, repaired.Drift.ToString());
        await backend.CleanupAsync(Cancel);
    }
}
