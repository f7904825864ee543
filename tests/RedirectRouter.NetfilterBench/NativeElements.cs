using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.NfTables;

namespace RedirectRouter.NetfilterBench;

/// <summary>
/// The agent's map operations at 10,000 elements, natively over NETLINK_NETFILTER against the same operation
/// through nft, in one throw-away namespace: apply 10,000 elements, change 1 of 10,000, read (verify) 10,000,
/// read their counters. Prints medians and ratios; not a test.
/// </summary>
internal static class NativeElements
{
    private const int Count = 10_000;
    private const string Table = "redirect_router";
    private const string Ruleset = """
        table ip redirect_router {
        	map dnat_ports { type inet_proto . inet_service : ipv4_addr . inet_service; counter; }
        	chain dnat_rules { type nat hook prerouting priority dstnat; policy accept; iifname "eth0" counter dnat ip to meta l4proto . th dport map @dnat_ports; }
        }

        """;

    private static readonly NfMap Ports = new(NfFamily.Ip, Table, "dnat_ports", NfMapKind.Ports);

    public static int Run(int rounds, TextWriter output)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            output.WriteLine("rr-netfilter-bench native: needs root to create a network namespace");
            return 1;
        }

        var name = $"rrb-{Environment.ProcessId}-native";
        using var ns = NetNamespace.Create(name);
        try
        {
            Measure(ns, rounds, output);
            return 0;
        }
        finally
        {
            NetNamespace.Delete(name);
        }
    }

    private static void Measure(NetNamespace ns, int rounds, TextWriter output)
    {
        var directory = Directory.CreateTempSubdirectory("rr-native-bench");
        try
        {
            var rulesetFile = Write(directory, "ruleset.nft", Ruleset);
            Nft(ns, "-f", rulesetFile);
            using var nft = NfTablesHandle.OpenIn(ns);
            var elements = Enumerable.Range(0, Count)
                .Select(i => new NfMapElement(new NfPortKey(i % 2 == 0 ? NfPortKey.Tcp : NfPortKey.Udp, (ushort)(10_000 + i / 2)),
                    NfMapValue.To(IPAddress.Parse($"10.1.{i / 250}.{1 + i % 250}"), (ushort)(1 + i))))
                .ToArray();
            var applyFile = Write(directory, "apply.nft", $"add element ip {Table} dnat_ports {{ {string.Join(", ", elements)} }}\n");

            var applyNative = new List<double>();
            var applyNft = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                Nft(ns, "flush", "map", "ip", Table, "dnat_ports");
                applyNative.Add(Time(() => nft.ElementsAdd(Ports, elements)));
                Check(nft, Count);
                Nft(ns, "flush", "map", "ip", Table, "dnat_ports");
                applyNft.Add(Time(() => Nft(ns, "-f", applyFile)));
                Check(nft, Count);
            }

            var changeNative = new List<double>();
            var changeNft = new List<double>();
            var changed = elements[Count / 2];
            for (var r = 0; r < rounds; r++)
            {
                var nativeValue = changed with { Value = NfMapValue.To(IPAddress.Parse("10.9.9.9"), (ushort)(100 + r)) };
                changeNative.Add(Time(() => nft.ElementsReplace(Ports, [nativeValue])));
                var text = $"delete element ip {Table} dnat_ports {{ {changed.Key} }}\nadd element ip {Table} dnat_ports {{ {changed.Key} : 10.9.9.8 . {200 + r} }}\n";
                var deltaFile = Write(directory, "delta.nft", text);
                changeNft.Add(Time(() => Nft(ns, "-f", deltaFile)));
            }

            var readNative = new List<double>();
            var readNft = new List<double>();
            var countersNative = new List<double>();
            var countersNft = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                readNative.Add(Time(() => Check(nft, Count)));
                readNft.Add(Time(() => JsonDocument.Parse(Nft(ns, "-j", "list", "map", "ip", Table, "dnat_ports")).Dispose()));
                countersNative.Add(Time(() =>
                {
                    ulong packets = 0;
                    foreach (var entry in nft.ElementsList(Ports))
                    {
                        packets += entry.Counter?.Packets ?? 0;
                    }
                }));
                // Today's counter path reads the whole ruleset as JSON.
                countersNft.Add(Time(() => JsonDocument.Parse(Nft(ns, "-j", "list", "ruleset")).Dispose()));
            }

            output.WriteLine($"# nf_tables natively vs nft, {Count:N0} elements of an ip map inet_proto . inet_service : ipv4_addr . inet_service with counters; median of {rounds} round(s), kernel {Environment.OSVersion.Version}, {Environment.ProcessorCount} CPUs");
            output.WriteLine($"{"operation",-34} {"native ms",10} {"nft ms",10} {"nft/native",11}");
            Line(output, "apply 10,000 (add element)", applyNative, applyNft, "nft -f of one add element line");
            Line(output, "change 1 of 10,000 (delete+add)", changeNative, changeNft, "nft -f of delete element + add element");
            Line(output, "read (verify) 10,000", readNative, readNft, "nft -j list map, parsed");
            Line(output, "read counters of 10,000", countersNative, countersNft, "nft -j list ruleset, parsed");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static void Line(TextWriter output, string what, List<double> native, List<double> nft, string nftSide)
    {
        var (a, b) = (Median(native), Median(nft));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-34} {a,10:0.00} {b,10:0.00} {b / a,10:0.0}x   (nft side: {nftSide})"));
    }

    private static void Check(NfTablesHandle nft, int expected)
    {
        var count = nft.ElementsList(Ports).Count;
        if (count != expected)
        {
            throw new InvalidOperationException($"the map holds {count} elements, expected {expected}");
        }
    }

    /// <summary>Runs nft inside the namespace without a wrapper process: the child is forked from a thread that entered it.</summary>
    private static string Nft(NetNamespace ns, params string[] args) => ns.Run(() => Topology.Run("nft", args));

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static string Write(DirectoryInfo directory, string name, string text)
    {
        var path = Path.Combine(directory.FullName, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
