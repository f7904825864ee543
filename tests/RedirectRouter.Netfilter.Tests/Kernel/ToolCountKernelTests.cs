using RedirectRouter.Core.Model;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Tests.Support;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Kernel;

/// <summary>
/// How many tool processes setup, reload and repair start per backend: each reads our state once per family
/// before it loads (and once more to verify), and loads once per family.
/// </summary>
public sealed class ToolCountKernelTests(ITestOutputHelper output)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task SetupReloadAndRepairEachReadOncePerFamilyAndLoadOnce(string name)
    {
        using var ns = TestNamespace.Create("count");
        var target = new NetfilterTarget(ns.Handle.Path);
        var runner = new CountingRunner();
        var tools = name == Backends.IptLegacy ? IptablesTools.Legacy : IptablesTools.Nft;
        var capabilities = await NetfilterProbe.ProbeAsync(runner, target, tools, Cancel);
        output.WriteLine($"probe: {runner.Take()}");
        var backend = NetfilterBackends.Create(name == Backends.Nft ? NetfilterBackend.Nftables : NetfilterBackend.Iptables, capabilities, target, runner);
        const int families = 2;

        Assert.True((await backend.ApplyAsync(Models.SingleHome(), Cancel)).Drift.IsClean);
        var setup = runner.Take();
        output.WriteLine($"setup: {setup}");

        var reloaded = Models.MultiHomeDualStack();
        Assert.True((await backend.ApplyAsync(reloaded, Cancel)).Drift.IsClean);
        var reload = runner.Take();
        output.WriteLine($"reload: {reload}");

        // Drift: one of our DNAT rules (iptables) or the whole DNAT chain (nftables) flushed by someone else.
        if (name == Backends.Nft)
        {
            Backends.Exec(ns, "nft", "flush", "chain", "ip", "redirect_router", "dnat_rules");
        }
        else
        {
            Backends.Iptables(name, ns, false, "-t", "nat", "-F", "RR-DNAT");
        }
        var drift = await backend.VerifyAsync(reloaded, Cancel);
        Assert.False(drift.IsClean);
        var repaired = await backend.ApplyAsync(reloaded, drift, Cancel);
        Assert.True(repaired.Drift.IsClean, repaired.Drift.ToString());
        var repair = runner.Take();
        output.WriteLine($"repair: {repair}");

        if (name == Backends.Nft)
        {
            // Our state is read natively (no process) before a load; nft -f loads once, and one terse nft
            // listing describes the structure after a load of it.
            foreach (var operation in new[] { setup, reload })
            {
                Assert.Equal(1, operation.Loads);
                Assert.True(operation.Reads <= 1, operation.ToString());
            }
            // Repair: the verify's listing describes the drift, one load, one listing to verify.
            Assert.Equal(1, repair.Loads);
            Assert.True(repair.Reads <= 2, repair.ToString());
            return;
        }
        // One read before the load and one to verify (per family), one load per family.
        Assert.Equal(2 * families, setup.Reads);
        Assert.Equal(families, setup.Loads);
        Assert.Equal(2 * families, reload.Reads);
        Assert.Equal(families, reload.Loads);
        // Repair: the verify's read is the apply's read, then one load and one read to verify.
        Assert.Equal(2 * families, repair.Reads);
        Assert.Equal(families, repair.Loads);
    }
}

/// <summary>diag's view of netfilter: at most three tool processes, and the same answers as the backends give.</summary>
public sealed class InspectorKernelTests(ITestOutputHelper output)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task DiagReadsPresenceCountersAndDriftWithAtMostThreeProcesses(string name)
    {
        using var ns = TestNamespace.Create("inspect");
        var target = new NetfilterTarget(ns.Handle.Path);
        var tools = name == Backends.IptLegacy ? IptablesTools.Legacy : IptablesTools.Nft;
        var runner = new CountingRunner();
        var requested = name == Backends.Nft ? NetfilterBackend.Nftables : NetfilterBackend.Iptables;

        var empty = await NetfilterInspector.ReadAsync(runner, target, requested, tools, Cancel);
        var emptyCount = runner.Take();
        output.WriteLine($"diag, nothing applied: {emptyCount}");
        Assert.False(empty.Presence.Any);
        Assert.Equal(name == Backends.Nft ? "nftables" : "iptables", empty.BackendName);
        Assert.True(emptyCount.Processes <= 3, emptyCount.ToString());

        var backend = await Backends.CreateAsync(name, ns);
        var model = Models.MultiHomeDualStack();
        Assert.True((await backend.ApplyAsync(model, Cancel)).Drift.IsClean);
        var expectedCounters = await backend.ReadCountersAsync(Cancel);

        var applied = await NetfilterInspector.ReadAsync(runner, target, NetfilterBackend.Auto, tools, Cancel);
        var appliedCount = runner.Take();
        output.WriteLine($"diag, applied: {appliedCount}");
        Assert.True(appliedCount.Processes <= 3, appliedCount.ToString());
        Assert.Equal(name == Backends.Nft ? "nftables" : "iptables", applied.BackendName);
        Assert.True(name == Backends.Nft ? applied.Presence.Nftables && !applied.Presence.Iptables : applied.Presence.Iptables && !applied.Presence.Nftables);
        Assert.Contains(name == Backends.Nft ? "ip" : "iptables nat RR-DNAT", name == Backends.Nft ? applied.Presence.NftTables : applied.Presence.IptablesChains);
        Assert.True(applied.Verify(model)!.IsClean, applied.Verify(model)!.ToString());
        Assert.Equal(expectedCounters.Select(c => (c.Location, c.Rule)).Order(), applied.Counters.Select(c => (c.Location, c.Rule)).Order());
        // Another model reads as drift, from the same listings (no process).
        Assert.False(applied.Verify(Models.SingleHome())!.IsClean);
        Assert.Empty(runner.Take().Tools);
    }

    [Fact]
    public void OurIptablesChainsAreRecognised()
    {
        var listing = IptablesSaveState.Parse("*nat\n:PREROUTING ACCEPT [0:0]\n:RR-DNAT - [0:0]\n-A PREROUTING -j RR-DNAT\nCOMMIT\n*filter\n:RR-FORWARD - [0:0]\n:FOREIGN - [0:0]\nCOMMIT\n");
        Assert.Equal(["iptables nat RR-DNAT", "iptables filter RR-FORWARD"], NetfilterInspector.OurChains(listing, "iptables"));
    }
}
