using RedirectRouter.Netfilter.Tests.Support;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Kernel;

public sealed class ApplyKernelTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static void AddForeign(string backend, TestNamespace ns, string tag)
    {
        if (backend == Backends.Nft)
        {
            Backends.Exec(ns, "nft", "add", "table", "ip", $"foreign_{tag}");
            Backends.Exec(ns, "nft", "add", "chain", "ip", $"foreign_{tag}", "fw_chain", "{ type filter hook forward priority 10; policy accept; }");
            Backends.Exec(ns, "nft", "add", "rule", "ip", $"foreign_{tag}", "fw_chain", "ip", "saddr", "10.99.0.1", "counter", "accept");
            return;
        }
        var octet = tag == "before" ? "1" : "2";
        Backends.Iptables(backend, ns, false, "-t", "nat", "-A", "PREROUTING", "-s", $"10.99.0.{octet}/32", "-j", "ACCEPT");
        Backends.Iptables(backend, ns, false, "-t", "filter", "-A", "FORWARD", "-s", $"10.99.0.{octet}/32", "-j", "ACCEPT");
        Backends.Iptables(backend, ns, false, "-t", "nat", "-N", $"FOREIGN-{tag}");
        Backends.Iptables(backend, ns, false, "-t", "nat", "-A", $"FOREIGN-{tag}", "-p", "tcp", "--dport", "22", "-j", "RETURN");
        Backends.Iptables(backend, ns, true, "-t", "filter", "-A", "FORWARD", "-s", $"fd00:99::{octet}/128", "-j", "ACCEPT");
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ApplyTwiceIsIdenticalAndForeignRulesSurviveApplyAndCleanup(string name)
    {
        using var ns = TestNamespace.Create("apply");
        var backend = await Backends.CreateAsync(name, ns);
        AddForeign(name, ns, "before");
        var foreignOnly = Backends.Snapshot(name, ns);
        var model = Models.MultiHomeDualStack();

        var first = await backend.ApplyAsync(model, Cancel);
        Assert.True(first.Drift.IsClean, first.Drift.ToString());
        var once = Backends.Snapshot(name, ns);
        var second = await backend.ApplyAsync(model, Cancel);
        Assert.True(second.Drift.IsClean, second.Drift.ToString());
        Assert.Equal(once, Backends.Snapshot(name, ns));
        Assert.Contains(name == Backends.Nft ? "table ip redirect_router" : "-A RR-DNAT -i eth0 -p tcp -m tcp --dport 9090 -j DNAT --to-destination 172.16.5.5", once);
        Assert.Contains(name == Backends.Nft ? "ip saddr 10.99.0.1" : "-A PREROUTING -s 10.99.0.1/32 -j ACCEPT", once);

        AddForeign(name, ns, "after");
        var withLater = Backends.Snapshot(name, ns);
        Assert.True((await backend.VerifyAsync(model, Cancel)).IsClean);
        var third = await backend.ApplyAsync(model, Cancel);
        Assert.True(third.Drift.IsClean, third.Drift.ToString());
        Assert.Equal(withLater, Backends.Snapshot(name, ns));

        await backend.CleanupAsync(Cancel);
        var afterCleanup = Backends.Snapshot(name, ns);
        Assert.DoesNotContain("RR-", afterCleanup);
        Assert.DoesNotContain("redirect_router", afterCleanup);
        Assert.Contains(name == Backends.Nft ? "foreign_after" : "-A PREROUTING -s 10.99.0.2/32 -j ACCEPT", afterCleanup);
        await backend.CleanupAsync(Cancel);
        Assert.Equal(afterCleanup, Backends.Snapshot(name, ns));

        // With the foreign rules added after ours taken out again, exactly the state from before remains.
        if (name == Backends.Nft)
        {
            Backends.Exec(ns, "nft", "delete", "table", "ip", "foreign_after");
        }
        else
        {
            Backends.Iptables(name, ns, false, "-t", "nat", "-D", "PREROUTING", "-s", "10.99.0.2/32", "-j", "ACCEPT");
            Backends.Iptables(name, ns, false, "-t", "filter", "-D", "FORWARD", "-s", "10.99.0.2/32", "-j", "ACCEPT");
            Backends.Iptables(name, ns, false, "-t", "nat", "-F", "FOREIGN-after");
            Backends.Iptables(name, ns, false, "-t", "nat", "-X", "FOREIGN-after");
            Backends.Iptables(name, ns, true, "-t", "filter", "-D", "FORWARD", "-s", "fd00:99::2/128", "-j", "ACCEPT");
        }
        Assert.Equal(foreignOnly, Backends.Snapshot(name, ns));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RejectedPayloadLeavesThePreviousRulesetInPlaceAndNamesTheLine(string name)
    {
        using var ns = TestNamespace.Create("atomic");
        var rewriter = new PayloadRewriter();
        var backend = await Backends.CreateAsync(name, ns, rewriter);
        var model = Models.SingleHome();
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);
        var before = Backends.Snapshot(name, ns);
        var other = Models.MultiHomeDualStack();

        NetfilterException error;
        if (name == Backends.Nft)
        {
            // The kernel refuses a jump to a chain that does not exist; the transaction also deletes and re-creates our table.
            // The tool names the line that was replaced (the backend quotes its own payload, which had the rule there).
            rewriter.Rewrite = p => p.Replace(
                "\t\tiifname \"eth0\" counter dnat ip to 10.7.8.10\n", "\t\tjump no_such_chain\n", StringComparison.Ordinal);
            error = await Assert.ThrowsAsync<NetfilterException>(() => backend.ApplyAsync(other, Cancel));
            Assert.Equal("iifname \"eth0\" counter dnat ip to 10.7.8.10", error.OffendingText?.Trim());
            Assert.Contains("no_such_chain", error.Message);
            rewriter.Rewrite = null;
        }
        else
        {
            // The mangle table (RR-MARK, new in this model) comes before nat in the payload and is committed on its own:
            // the backend must roll it back when nat is rejected.
            rewriter.Rewrite = p => p.Replace(
                "-A RR-DNAT -i eth0 -j DNAT --to-destination 10.7.8.10\n", "-A RR-DNAT -p tcp -j RR-NO-SUCH-CHAIN\n", StringComparison.Ordinal);
            error = await Assert.ThrowsAsync<NetfilterException>(() => backend.ApplyAsync(other, Cancel));
            rewriter.Rewrite = null;
            Assert.NotNull(error.OffendingLine);
            // iptables-nft blames the COMMIT of the table, legacy the rule itself; both name the missing chain.
            Assert.Contains("RR-NO-SUCH-CHAIN", error.Message);
        }
        Assert.Contains("=>", error.Message);

        Assert.Equal(before, Backends.Snapshot(name, ns));
        var drift = await backend.VerifyAsync(model, Cancel);
        Assert.True(drift.IsClean, drift.ToString());
        await backend.CleanupAsync(Cancel);
    }
}
