using RedirectRouter.Core.Model;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Support;

/// <summary>The backends under test, by name (theory data): nftables, iptables (nf_tables flavour), iptables-legacy.</summary>
internal static class Backends
{
    public const string Nft = "nftables";
    public const string IptNft = "iptables-nft";
    public const string IptLegacy = "iptables-legacy";

    public static TheoryData<string> All => new(Nft, IptNft, IptLegacy);

    public static async Task<INetfilterBackend> CreateAsync(string name, TestNamespace ns, ICommandRunner? runner = null)
    {
        var target = new NetfilterTarget(ns.Handle.Path);
        var tools = name == IptLegacy ? IptablesTools.Legacy : IptablesTools.Nft;
        var capabilities = await NetfilterProbe.ProbeAsync(CliWrapCommandRunner.Instance, target, tools, TestContext.Current.CancellationToken);
        return name == Nft
            ? NetfilterBackends.Create(NetfilterBackend.Nftables, capabilities, target, runner)
            : NetfilterBackends.Create(NetfilterBackend.Iptables, capabilities, target, runner);
    }

    /// <summary>Everything the tools show for the namespace (rules and tables), without counters and comments, to compare before/after.</summary>
    public static string Snapshot(string name, TestNamespace ns)
    {
        if (name == Nft)
        {
            return Exec(ns, "nft", "list", "ruleset");
        }
        // Rules and user chains per table: empty built-in tables (iptables creates them on first use and
        // never removes them) are not rules, so they do not count.
        var prefix = name == IptLegacy ? "-legacy" : "-nft";
        var tables = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var tool in new[] { $"iptables{prefix}-save", $"ip6tables{prefix}-save" })
        {
            var table = "";
            foreach (var line in Exec(ns, tool).Split('\n'))
            {
                if (line.StartsWith('*'))
                {
                    table = line;
                }
                else if (line.StartsWith("-A ", StringComparison.Ordinal) || (line.StartsWith(':') && !BuiltIn.Contains(line[1..].Split(' ')[0])))
                {
                    var key = $"{tool} {table}";
                    if (!tables.TryGetValue(key, out var lines))
                    {
                        tables[key] = lines = [];
                    }
                    lines.Add($"{key} {line.Split(" [", 2)[0]}");
                }
            }
        }
        // Tables in a fixed order (iptables-save prints them in creation order); rules in their chain order.
        return string.Join('\n', tables.Values.SelectMany(l => l));
    }

    private static readonly HashSet<string> BuiltIn = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

    /// <summary>Runs a tool in the namespace; a failure throws.</summary>
    public static string Exec(TestNamespace ns, string program, params string[] args) =>
        TestNamespace.Run("ip", ["netns", "exec", ns.Name, program, .. args]);

    /// <summary>Runs iptables (or ip6tables) of the flavour under test.</summary>
    public static string Iptables(string name, TestNamespace ns, bool v6, params string[] args) =>
        Exec(ns, $"{(v6 ? "ip6tables" : "iptables")}{(name == IptLegacy ? "-legacy" : "-nft")}", args);

    public static NftRenderer NftRenderer { get; } = new();
}
