using System.Collections.Concurrent;
using System.Net;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Nftables;
using RedirectRouter.Netfilter.Tests.Support;
using RedirectRouter.Netlink;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Kernel;

/// <summary>
/// The nftables backend's native path, with nft as the witness: element changes, verification and counters
/// start no process once the structure is loaded; a foreign change between our read and our commit is repaired
/// from a fresh read; our own transactions are told from foreign ones.
/// </summary>
public sealed class NftNativeKernelTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static NftablesBackend Create(TestNamespace ns, ICommandRunner? runner = null) =>
        new(new NetfilterTarget(ns.Handle.Path), runner);

    private static NatModel WithPort8080To(NatModel model, int port) => model with
    {
        Dnat = model.Dnat.Select(d => d.LocalPorts == PortRange.Single(8080) && d.Destination.Equals(IPAddress.Parse("10.7.8.9"))
            ? d with { TargetPorts = PortRange.Single(port) } : d).ToValueList(),
    };

    [Fact]
    public async Task ElementChangesVerificationAndCountersStartNoProcessOnceTheStructureIsLoaded()
    {
        using var ns = TestNamespace.Create("native");
        var runner = new CountingRunner();
        using var backend = Create(ns, runner);
        var model = Models.MultiHomeDualStack();
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);
        var afterLoad = runner.Count;
        Assert.True(afterLoad > 0); // the structure goes through nft

        var changed = WithPort8080To(model, 81);
        var result = await backend.ApplyAsync(changed, Cancel);
        Assert.True(result.Incremental);
        Assert.True(result.Drift.IsClean, result.Drift.ToString());
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await backend.VerifyAsync(changed, Cancel)).IsClean);
            Assert.NotEmpty(await backend.ReadCountersAsync(Cancel));
        }
        Assert.Equal(afterLoad, runner.Count);

        var map = Backends.Exec(ns, "nft", "list", "map", "ip", "redirect_router", "dnat_ports");
        Assert.Contains("tcp . 8080 counter packets 0 bytes 0 : 10.7.8.9 . 81", map);
        Assert.DoesNotContain("10.7.8.9 . 80", map);
        Assert.Contains("tcp . 8080 counter packets 0 bytes 0 : fd00:12::50 . 80", Backends.Exec(ns, "nft", "list", "map", "ip6", "redirect_router", "dnat_ports"));

        // A mapping that leaves one home's mark map and the port map in one batch.
        var fewer = changed with { Dnat = changed.Dnat.Where(d => d.Home != "b").ToValueList() };
        var removed = await backend.ApplyAsync(fewer, Cancel);
        Assert.True(removed.Incremental);
        Assert.True(removed.Drift.IsClean, removed.Drift.ToString());
        Assert.DoesNotContain("9090", Backends.Exec(ns, "nft", "list", "table", "ip", "redirect_router"));
        Assert.Equal(afterLoad, runner.Count);
    }

    [Fact]
    public async Task CountersReadNativelyEqualTheOnesNftShows()
    {
        using var ns = TestNamespace.Create("ncount");
        using var backend = Create(ns);
        var model = Models.SingleHome();
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);
        using var throughNft = Create(ns);
        throughNft.UseNetlink = false;

        var native = (await backend.ReadCountersAsync(Cancel)).OrderBy(c => c.Location, StringComparer.Ordinal).ThenBy(c => c.Rule, StringComparer.Ordinal).ToArray();
        var tool = (await throughNft.ReadCountersAsync(Cancel)).OrderBy(c => c.Location, StringComparer.Ordinal).ThenBy(c => c.Rule, StringComparer.Ordinal).ToArray();
        Assert.Equal(tool, native);
        Assert.Contains(native, c => c.Location == "ip redirect_router map dnat_ports" && c.Rule == "sctp . 99 : 10.7.8.9 . 99");
        Assert.Contains(native, c => c.Location == "ip redirect_router map dnat_ranges" && c.Rule == "tcp . 7000-7010 : 10.7.8.9");
        Assert.Contains(native, c => c.Location == "ip redirect_router chain dnat_rules" && c.Rule == "iifname \"eth0\" counter dnat ip to 10.7.8.10");

        // A backend that did not load the table (diag) names the rules through one nft listing, elements natively.
        using var diag = Create(ns);
        Assert.Equal(tool, (await diag.ReadCountersAsync(Cancel)).OrderBy(c => c.Location, StringComparer.Ordinal).ThenBy(c => c.Rule, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task AForeignElementChangeBetweenOurReadAndOurCommitIsRepairedFromAFreshRead()
    {
        using var ns = TestNamespace.Create("nconf");
        using var backend = Create(ns);
        var model = Models.SingleHome();
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);

        // After our verification someone deletes the element we are about to replace and adds one of their own:
        // our batch carries a stale generation and is refused as a whole.
        Backends.Exec(ns, "nft", "delete", "element", "ip", "redirect_router", "dnat_ports", "{ tcp . 8080 }");
        Backends.Exec(ns, "nft", "add", "element", "ip", "redirect_router", "dnat_ports", "{ tcp . 4444 : 10.9.9.9 . 44 }");
        var result = await backend.ApplyAsync(WithPort8080To(model, 81), Cancel);

        Assert.True(result.Incremental);
        Assert.True(result.Drift.IsClean, result.Drift.ToString());
        var map = Backends.Exec(ns, "nft", "list", "map", "ip", "redirect_router", "dnat_ports");
        Assert.Contains("tcp . 8080 counter packets 0 bytes 0 : 10.7.8.9 . 81", map);
        Assert.DoesNotContain("4444", map);
    }

    [Fact]
    public async Task AChangeOnlyOursSinceACleanReadBackIsNotDumpedAgainAnyOtherIs()
    {
        using var ns = TestNamespace.Create("nproof");
        using var backend = Create(ns);
        var model = Models.Many(1_000, "eth0", IPAddress.Parse("10.7.8.9"), null, "egress0", IPAddress.Parse("192.168.12.99"));
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);

        // Nothing but our batch committed since the read-back: the result is known without reading 1,000 elements.
        var changed = model with { Dnat = model.Dnat.Skip(1).ToValueList() };
        var proven = await backend.ApplyAsync(changed, Cancel);
        Assert.True(proven.Incremental && proven.Drift.IsClean, proven.Drift.ToString());
        Assert.DoesNotContain("tcp . 10000 ", Backends.Exec(ns, "nft", "list", "map", "ip", "redirect_router", "dnat_ports"));

        // A foreign commit elsewhere moves the generation: the next change is refused as stale, repaired from a fresh
        // read and read back; and a foreign element added meanwhile is found and removed, not assumed away.
        Backends.Exec(ns, "nft", "add", "table", "ip", "foreign");
        Backends.Exec(ns, "nft", "add", "element", "ip", "redirect_router", "dnat_ports", "{ tcp . 4444 : 10.9.9.9 . 44 }");
        var read = await backend.ApplyAsync(model, Cancel);
        Assert.True(read.Incremental && read.Drift.IsClean, read.Drift.ToString());
        var map = Backends.Exec(ns, "nft", "list", "map", "ip", "redirect_router", "dnat_ports");
        Assert.Contains("tcp . 10000 ", map);
        Assert.DoesNotContain("4444", map);
        Assert.Contains("table ip foreign", Backends.Exec(ns, "nft", "list", "tables"));
    }

    [Fact]
    public async Task ForeignElementsAndRulesAreDriftNamedInNftWords()
    {
        using var ns = TestNamespace.Create("ndrift");
        using var backend = Create(ns);
        var model = Models.MultiHomeDualStack();
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);

        Backends.Exec(ns, "nft", "add", "element", "ip6", "redirect_router", "dnat_ports", "{ tcp . 4444 : fd00:12::9 . 44 }");
        Backends.Exec(ns, "nft", "delete", "element", "ip", "redirect_router", "home_marks", "{ tcp . 9090 }");
        var drift = await backend.VerifyAsync(model, Cancel);
        Assert.Equal(["ip redirect_router map home_marks: tcp . 9090 : 0x00002001"], drift.Missing);
        Assert.Equal(["ip6 redirect_router map dnat_ports: tcp . 4444 : fd00:12::9 . 44"], drift.Extra);

        // Elements alone are repaired natively: the table and its rules keep their handles.
        var before = Backends.Exec(ns, "nft", "-a", "list", "chain", "ip", "redirect_router", "dnat_rules");
        var repaired = await backend.ApplyAsync(model, Cancel);
        Assert.True(repaired.Drift.IsClean, repaired.Drift.ToString());
        Assert.Equal(before, Backends.Exec(ns, "nft", "-a", "list", "chain", "ip", "redirect_router", "dnat_rules"));
        Assert.Contains("tcp . 9090 : 0x00002001", Backends.Exec(ns, "nft", "list", "map", "ip", "redirect_router", "home_marks"));
        Assert.DoesNotContain("4444", Backends.Exec(ns, "nft", "list", "map", "ip6", "redirect_router", "dnat_ports"));

        // A rule replaced by one of the same text still gets a new handle: that is drift too, and nft describes it.
        var handle = before.Split('\n').Single(l => l.Contains("to 10.7.8.10", StringComparison.Ordinal)).Split("# handle ")[1].Trim();
        Backends.Exec(ns, "nft", "delete", "rule", "ip", "redirect_router", "dnat_rules", "handle", handle);
        Backends.Exec(ns, "nft", "add", "rule", "ip", "redirect_router", "dnat_rules", "iifname", "eth0", "counter", "dnat", "ip", "to", "10.7.8.11");
        var changedRule = await backend.VerifyAsync(model, Cancel);
        Assert.Equal(["ip redirect_router chain dnat_rules: iifname \"eth0\" counter dnat ip to 10.7.8.10"], changedRule.Missing);
        Assert.Equal(["ip redirect_router chain dnat_rules: iifname \"eth0\" counter dnat ip to 10.7.8.11"], changedRule.Extra);
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);
        Assert.True((await backend.VerifyAsync(model, Cancel)).IsClean);
    }

    [Fact]
    public async Task OwnTransactionsAreToldFromForeignOnes()
    {
        using var ns = TestNamespace.Create("nown");
        using var backend = Create(ns);
        var seen = new ConcurrentQueue<NetfilterTransaction>();
        using var monitor = NetfilterChangeMonitor.Open(seen.Enqueue, ns.Handle);

        var model = Models.SingleHome();
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);           // nft -f, then a native batch
        Assert.True((await backend.ApplyAsync(WithPort8080To(model, 81), Cancel)).Incremental); // a native batch
        Assert.False((await backend.ApplyAsync(model with { Fallbacks = [] }, Cancel)).Incremental); // nft -f
        var ours = await Drain(seen, atLeast: 3);
        Assert.All(ours, t => Assert.True(backend.IsOwnTransaction(t.PortId, t.ProcessId), t.ToString()));
        Assert.All(ours, t => Assert.NotNull(t.Generation));

        Backends.Exec(ns, "nft", "add", "element", "ip", "redirect_router", "dnat_ports", "{ tcp . 4444 : 10.9.9.9 . 44 }");
        var foreign = await Drain(seen, atLeast: 1);
        Assert.Single(foreign);
        Assert.False(backend.IsOwnTransaction(foreign[0].PortId, foreign[0].ProcessId));
        Assert.NotNull(foreign[0].ProcessId);
    }

    private static async Task<List<NetfilterTransaction>> Drain(ConcurrentQueue<NetfilterTransaction> queue, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (queue.Count < atLeast && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Cancel);
        }
        await Task.Delay(200, Cancel); // anything that would follow
        var items = new List<NetfilterTransaction>();
        while (queue.TryDequeue(out var item))
        {
            items.Add(item);
        }
        Assert.True(items.Count >= atLeast, $"{items.Count} transaction(s) seen, {atLeast} expected");
        return items;
    }

    private sealed class CountingRunner : ICommandRunner
    {
        private int _count;

        public int Count => _count;

        public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return CliWrapCommandRunner.Instance.RunAsync(program, arguments, standardInput, cancellationToken);
        }
    }
}
