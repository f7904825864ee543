using System.Text.Json;
using RedirectRouter.TestSupport;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary>
/// <c>cleanup</c> where other daemons live: a node-like namespace (a NIC rooted in it carries the default route)
/// holding foreign policy rules in priorities 1000-1199 (some the exact twins of ours, one with our protocol number
/// but not our shape), foreign routes with protocol 245 on a link we did not make, a foreign nftables table of our
/// name and foreign iptables chains of our name and prefix. Without --force cleanup refuses (exit 2, saying why)
/// and changes nothing; --dry-run lists and changes nothing; with --force it removes ours and nothing of theirs.
/// </summary>
public sealed class CleanupOwnershipEndToEndTests
{
    [Fact]
    public void InANodeLikeNamespaceCleanupRefusesAndEvenForcedLeavesEveryForeignObjectAlone()
    {
        Privileged.Require();
        using var node = TestNamespace.Create("nodelike");
        AddForeignObjects(node, filterChain: "RR-FORWARD");
        Assert.Contains("table ip redirect_router", TestNamespace.Run("ip", ["netns", "exec", node.Name, "nft", "list", "tables"]), StringComparison.Ordinal);
        var before = Snapshot(node);

        var refused = Cleanup(node);
        Assert.True(refused.ExitCode == 2, $"exit {refused.ExitCode}: {refused.Output} {refused.Error}");
        Assert.Contains("refusing to clean up this namespace", refused.Error, StringComparison.Ordinal);
        Assert.Contains("default route leaves by eno1", refused.Error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(node));

        var parentNic = Cleanup(node, "--config", WriteConfig(node, "parent: eno1"));
        Assert.Equal(2, parentNic.ExitCode);
        Assert.Contains("it holds eno1, a parent NIC of the configuration", parentNic.Error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(node));

        var dryRun = Cleanup(node, "--dry-run", "--force");
        Assert.True(dryRun.ExitCode == 0, dryRun.Error);
        Assert.Contains("nothing to remove", dryRun.Output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(node));

        var forced = Cleanup(node, "--force");
        Assert.True(forced.ExitCode == 0, forced.Error);
        Assert.DoesNotContain("removed:", forced.Output, StringComparison.Ordinal);
        Assert.Contains("nothing to remove", forced.Output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(node));
    }

    [Theory]
    [InlineData("iptables")]
    [InlineData("nftables")]
    public void InARouterThatAlsoHoldsForeignObjectsForcedCleanupRemovesExactlyOurs(string backend)
    {
        using var lab = new Lab();
        // In the router's own namespace our names are ours (an apply replaces RR-FORWARD, and with nftables the
        // table redirect_router): the foreign objects there only share the prefix.
        AddForeignObjects(lab.Router, filterChain: "RR-FOREIGN-FW", nftTableOfOurName: backend == "iptables");
        var config = lab.TempFile("ownership.yaml", lab.TwoHomesConfig(
            ["  - { protocol: tcp, port: 8080, destination: 172.16.100.25, targetPort: 80, home: a }",
             "  - { protocol: tcp, port: 8081, destination: 172.16.100.25, targetPort: 80, home: b }"],
            $"\n  backend: {backend}"));
        var before = Snapshot(lab.Router);
        DiagEndToEndTests.Init(lab, config);
        var installed = Snapshot(lab.Router);
        Assert.NotEqual(before, installed);
        Assert.Contains("1000:\tfrom all fwmark 0x2000 lookup 100 proto 245", lab.Router.Ip("rule", "show"), StringComparison.Ordinal);

        var refused = lab.RunAgent(null, "cleanup");
        Assert.True(refused.ExitCode == 2, $"exit {refused.ExitCode}: {refused.Output} {refused.Error}");
        Assert.Contains("eno1", refused.Error, StringComparison.Ordinal);
        Assert.Equal(installed, Snapshot(lab.Router));

        var dryRun = lab.RunAgent(null, "cleanup", "--dry-run", "--force");
        Assert.True(dryRun.ExitCode == 0, dryRun.Error);
        Assert.Contains("would remove: delete link macvlan0", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("would remove: delete rule priority 1000 fwmark 0x2000 lookup 100", dryRun.Output, StringComparison.Ordinal);
        if (backend == "iptables")
        {
            Assert.Contains("would remove: delete chain iptables nat RR-DNAT", dryRun.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("nftables table", dryRun.Output, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("would remove: delete nftables table ip redirect_router", dryRun.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("delete chain", dryRun.Output, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("RR-FOREIGN", dryRun.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("1150", dryRun.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.0", dryRun.Output, StringComparison.Ordinal);
        Assert.Equal(installed, Snapshot(lab.Router));

        var forced = lab.RunAgent(null, "cleanup", "--force");
        Assert.True(forced.ExitCode == 0, forced.Error);
        Assert.Contains("removed: delete link macvlan1", forced.Output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(lab.Router));

        var again = lab.RunAgent(null, "cleanup", "--force");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("nothing to remove", again.Output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(lab.Router));
    }

    // Objects another daemon might have, chosen to collide with every mark the agent used to rely on alone.
    private static void AddForeignObjects(TestNamespace ns, string filterChain, bool nftTableOfOurName = true)
    {
        // A NIC rooted in this namespace (both veth ends are here, as a node's own device has no other side elsewhere).
        ns.Ip("link", "add", "eno1", "type", "veth", "peer", "name", "eno1p");
        ns.Ip("link", "set", "eno1", "up");
        ns.Ip("link", "set", "eno1p", "up");
        ns.Ip("addr", "add", "192.0.2.10/24", "dev", "eno1");
        ns.Ip("route", "add", "default", "via", "192.0.2.1", "dev", "eno1", "metric", "500");

        // Rules in our priority range: twins of ours without our protocol, a node's own, and one with our protocol
        // number but not the shape of a planned rule.
        ns.Ip("rule", "add", "priority", "1000", "fwmark", "0x2000", "lookup", "100");
        ns.Ip("rule", "add", "priority", "1024", "from", "all", "lookup", "main");
        ns.Ip("rule", "add", "priority", "1100", "from", "192.168.12.99", "lookup", "100");
        ns.Ip("rule", "add", "priority", "1150", "fwmark", "0x80/0x80", "lookup", "main", "protocol", "245");
        ns.Ip("-6", "rule", "add", "priority", "1001", "fwmark", "0x2001", "lookup", "101");

        // Routes with our protocol on a link we did not make, in the main table and in one of our home tables.
        ns.Ip("route", "add", "198.51.100.0/24", "via", "192.0.2.1", "dev", "eno1", "proto", "245");
        ns.Ip("route", "add", "198.51.100.0/24", "via", "192.0.2.1", "dev", "eno1", "proto", "245", "table", "101");

        // An nftables table of our name without our comment, and another.
        if (nftTableOfOurName)
        {
            Load(ns, "nft", ["-f"], """
                table ip redirect_router {
                	chain foreign { type filter hook forward priority 10; policy accept; ip saddr 203.0.113.7 accept; }
                }

                """);
        }
        Load(ns, "nft", ["-f"], """
            table inet foreign_fw {
            	chain input { type filter hook input priority 0; policy accept; tcp dport 22 accept; }
            }

            """);

        // iptables chains of our name and prefix, jumped to without our comment, in every table and hook we use.
        const string rules = """
            *mangle
            -A PREROUTING -s {0} -j RETURN
            COMMIT
            *nat
            :RR-FOREIGN - [0:0]
            -A PREROUTING -j RR-FOREIGN
            -A RR-FOREIGN -s {0} -j RETURN
            -A POSTROUTING -s {0} -j RETURN
            COMMIT
            *filter
            :{1} - [0:0]
            -A FORWARD -j {1}
            -A {1} -s {0} -j ACCEPT
            -A INPUT -s {0} -j ACCEPT
            COMMIT

            """;
        var chained = rules.Replace("{1}", filterChain, StringComparison.Ordinal);
        Load(ns, "iptables-restore", ["--noflush"], chained.Replace("{0}", "203.0.113.7/32", StringComparison.Ordinal));
        Load(ns, "ip6tables-restore", ["--noflush"], chained.Replace("{0}", "2001:db8::7/128", StringComparison.Ordinal));
    }

    private static void Load(TestNamespace ns, string tool, string[] args, string payload)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{ns.Name}-{tool}.txt");
        File.WriteAllText(file, payload);
        try
        {
            TestNamespace.Run("ip", ["netns", "exec", ns.Name, tool, .. args, file]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string WriteConfig(TestNamespace ns, string parentLine)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{ns.Name}-cleanup.yaml");
        File.WriteAllText(file, $$"""
            homes:
              - {{parentLine}}
                addresses: [192.0.2.99/24]
                gateways: [192.0.2.1]
            rules:
              - { protocol: tcp, port: 8080, destination: 203.0.113.5 }

            """);
        return file;
    }

    private static (int ExitCode, string Output, string Error) Cleanup(TestNamespace ns, params string[] args) =>
        TestNamespace.Execute("ip", ["netns", "exec", ns.Name, "dotnet", Lab.Cli, "cleanup", .. args]);

    /// <summary>
    /// ip -j link/addr/rule/route (both families, all tables), the nftables tables other than iptables-nft's, and
    /// iptables-save of both families. Left out: what the kernel makes by itself (IPv6 link-local, anycast and
    /// multicast routes), the built-in chains and empty tables iptables-nft creates on first use, comment lines.
    /// </summary>
    private static string Snapshot(TestNamespace ns)
    {
        string[] parts =
        [
            Json(ns.Ip("-j", "-d", "link", "show")),
            Json(ns.Ip("-j", "addr", "show", "scope", "global")),
            Json(ns.Ip("-j", "rule", "show")),
            Json(ns.Ip("-j", "-6", "rule", "show")),
            Json(ns.Ip("-j", "route", "show", "table", "all")),
            Json(ns.Ip("-j", "-6", "route", "show", "table", "all")),
            ForeignNftTables(ns),
            Iptables(ns, "iptables-save"),
            Iptables(ns, "ip6tables-save"),
        ];
        return string.Join("\n----\n", parts);
    }

    private static string Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return string.Join('\n', document.RootElement.EnumerateArray()
            .Where(e => !(e.TryGetProperty("type", out var type) && type.GetString() is "anycast" or "multicast"))
            .Where(e => !(e.TryGetProperty("dst", out var dst) && dst.GetString()!.StartsWith("fe80", StringComparison.Ordinal)))
            .Select(e => e.GetRawText()));
    }

    private static readonly string[] IptablesNftTables = ["filter", "nat", "mangle", "raw", "security"];

    private static string ForeignNftTables(TestNamespace ns)
    {
        var tables = TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", "list", "tables"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(f => f.Length == 3 && !(f[1] is "ip" or "ip6" && IptablesNftTables.Contains(f[2])))
            .Order(Comparer<string[]>.Create((a, b) => string.CompareOrdinal(a[1] + a[2], b[1] + b[2])));
        return string.Join('\n', tables.Select(f => TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", "list", "table", f[1], f[2]])));
    }

    private static string Iptables(TestNamespace ns, string save)
    {
        var kept = new List<string>();
        var table = new List<string>();
        foreach (var line in TestNamespace.Run("ip", ["netns", "exec", ns.Name, save]).Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0 || (line.StartsWith(':') && !line.StartsWith(":RR-", StringComparison.Ordinal) && line.Contains(" ACCEPT [", StringComparison.Ordinal)))
            {
                continue;
            }
            if (line.StartsWith('*'))
            {
                table = [line];
            }
            else if (line == "COMMIT")
            {
                if (table.Count > 1)
                {
                    kept.AddRange(table);
                }
            }
            else
            {
                table.Add(line);
            }
        }
        return string.Join('\n', kept);
    }
}
