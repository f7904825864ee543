using System.Net;
using System.Text.Json;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Tests.Support;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Kernel;

public sealed class NftIncrementalKernelTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static long TableHandle(TestNamespace ns)
    {
        using var json = JsonDocument.Parse(Backends.Exec(ns, "nft", "-j", "list", "tables"));
        return json.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(i => i.TryGetProperty("table", out var t) && t.GetProperty("name").GetString() == "redirect_router" && t.GetProperty("family").GetString() == "ip")
            .Select(i => i.GetProperty("table").GetProperty("handle").GetInt64())
            .Single();
    }

    private static ulong RuleHandle(TestNamespace ns)
    {
        // The handle of the fallback rule: a re-created table would number its rules anew from a fresh table.
        var listing = Backends.Exec(ns, "nft", "-a", "list", "chain", "ip", "redirect_router", "dnat_rules");
        var line = listing.Split('\n').Single(l => l.Contains("dnat ip to 192.168.12.51", StringComparison.Ordinal) || l.Contains("dnat to 192.168.12.51", StringComparison.Ordinal));
        return ulong.Parse(line[(line.LastIndexOf("# handle ", StringComparison.Ordinal) + 9)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task ChangingOneMappingAmongTenThousandUpdatesElementsOnly()
    {
        using var ns = TestNamespace.Create("incr");
        var backend = await Backends.CreateAsync(Backends.Nft, ns);
        var model = Models.Many(10_000, "eth0", IPAddress.Parse("192.168.12.50"), IPAddress.Parse("192.168.12.51"), "egress0", IPAddress.Parse("192.168.12.99"));
        var full = await backend.ApplyAsync(model, Cancel);
        Assert.False(full.Incremental);
        Assert.True(full.Drift.IsClean, full.Drift.ToString());
        var table = TableHandle(ns);
        var rule = RuleHandle(ns);

        var changed = model with
        {
            Dnat = model.Dnat.Skip(1)
                .Append(new DnatEntry(Protocol.Udp, PortRange.Single(5000), IPAddress.Parse("192.168.12.52"), PortRange.Single(53), "main"))
                .ToValueList(),
        };
        var incremental = await backend.ApplyAsync(changed, Cancel);

        Assert.True(incremental.Incremental);
        Assert.True(incremental.Drift.IsClean, incremental.Drift.ToString());
        Assert.Equal(table, TableHandle(ns));
        Assert.Equal(rule, RuleHandle(ns));
        var map = Backends.Exec(ns, "nft", "list", "map", "ip", "redirect_router", "dnat_ports");
        Assert.Contains("udp . 5000 counter packets 0 bytes 0 : 192.168.12.52 . 53", map);
        Assert.DoesNotContain("tcp . 10000 ", map);
        Assert.Contains("tcp . 19999 ", map);

        // A structural change (no fallback any more) replaces the table.
        var replaced = await backend.ApplyAsync(changed with { Fallbacks = [] }, Cancel);
        Assert.False(replaced.Incremental);
        Assert.True(replaced.Drift.IsClean, replaced.Drift.ToString());
        await backend.CleanupAsync(Cancel);
        Assert.DoesNotContain("redirect_router", Backends.Exec(ns, "nft", "list", "tables"));
    }
}
