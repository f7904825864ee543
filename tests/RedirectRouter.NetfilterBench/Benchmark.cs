using System.Diagnostics;
using System.Globalization;
using System.Net;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;

namespace RedirectRouter.NetfilterBench;

/// <summary>
/// Per backend, in a fresh client -- router -- destination namespace chain: apply time for 1, 1,000 and
/// 10,000 mappings; time to change one mapping among 10,000; new TCP connections per second with 1 mapping
/// and with 10,000 where the used mapping is the last one. Rounds interleave the two connection cases, and
/// the ratios are taken within each round (median of per-round ratios).
/// </summary>
internal static class Benchmark
{
    public const string Nft = "nftables";
    /// <summary>The nftables backend with every operation through nft (the path before map elements went over netlink).</summary>
    public const string NftTool = "nftables-nft";
    public const string IptNft = "iptables-nft";
    public const string IptLegacy = "iptables-legacy";

    private const int ServerPort = 7800;
    private const int FirstPort = 10_000;
    private static readonly IPAddress Destination = IPAddress.Parse("192.168.12.50");

    public static async Task<int> RunAsync(int rounds, double seconds, IReadOnlyList<string> backends, TextWriter output)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("run as root: the benchmark creates network namespaces");
        }
        output.WriteLine($"# netfilter benchmark: {rounds} round(s), {seconds.ToString(CultureInfo.InvariantCulture)} s per connection-rate run, kernel {Environment.OSVersion.Version}, {Environment.ProcessorCount} CPUs");
        var summary = new List<string>();
        var figures = new Dictionary<(string Backend, string Figure), double>();
        foreach (var name in backends)
        {
            using var topology = new Topology($"rrb-{Environment.ProcessId}");
            var target = NetfilterTarget.Named(topology.Router);
            var capabilities = await NetfilterProbe.ProbeAsync(CliWrapCommandRunner.Instance, target, name == IptLegacy ? IptablesTools.Legacy : IptablesTools.Nft);
            var backend = NetfilterBackends.Create(name is Nft or NftTool ? NetfilterBackend.Nftables : NetfilterBackend.Iptables, capabilities, target);
            if (name == NftTool)
            {
                ((NftablesBackend)backend).UseNetlink = false;
            }
            output.WriteLine($"\n## {name} (iptables {capabilities.IptablesVersion} {capabilities.IptablesVariant}, nft {capabilities.NftVersion})");

            // Apply time from nothing (our rules removed before each run), median of the rounds.
            foreach (var count in new[] { 1, 1_000, 10_000 })
            {
                var applies = new List<double>();
                var verifies = new List<double>();
                for (var r = 0; r < rounds; r++)
                {
                    await backend.CleanupAsync();
                    var result = await backend.ApplyAsync(Model(count));
                    Require(result);
                    applies.Add(result.ApplyTime.TotalMilliseconds);
                    verifies.Add(result.VerifyTime.TotalMilliseconds);
                }
                output.WriteLine($"apply {count,6} mappings: {Median(applies),8:0.0} ms (+ read-back verify {Median(verifies):0.0} ms)");
                summary.Add($"{name}\tapply-{count}\t{Median(applies):0.0} ms\tverify {Median(verifies):0.0} ms");
                figures[(name, $"apply {count} + verify")] = Median(applies) + Median(verifies);
            }

            if (name == Nft)
            {
                // The first load of 10,000 both ways: structure by nft -f and elements natively, or everything in one nft -f.
                foreach (var native in new[] { true, false })
                {
                    ((NftablesBackend)backend).NativeFirstLoad = native;
                    var loads = new List<double>();
                    for (var r = 0; r < rounds; r++)
                    {
                        await backend.CleanupAsync();
                        var result = await backend.ApplyAsync(Model(10_000));
                        Require(result);
                        loads.Add(result.ApplyTime.TotalMilliseconds);
                    }
                    var how = native ? "nft -f structure + native elements" : "one nft -f with the elements";
                    output.WriteLine($"first load of 10,000, {how}: {Median(loads),8:0.0} ms");
                    summary.Add($"{name}	first-load-10000-{(native ? "native-elements" : "nft-only")}	{Median(loads):0.0} ms");
                }
                ((NftablesBackend)backend).NativeFirstLoad = true;
            }

            // Change one mapping among 10,000 (its target port flips between two values).
            Require(await backend.ApplyAsync(Model(10_000)));
            var changes = new List<double>();
            var changeVerifies = new List<double>();
            var incremental = true;
            for (var r = 0; r < rounds; r++)
            {
                var result = await backend.ApplyAsync(Model(10_000, changedIndex: 5_000, changedPort: r % 2 == 0 ? ServerPort + 1 : ServerPort + 2));
                Require(result);
                incremental &= result.Incremental;
                changes.Add(result.ApplyTime.TotalMilliseconds);
                changeVerifies.Add(result.VerifyTime.TotalMilliseconds);
            }
            output.WriteLine($"change 1 of 10,000:     {Median(changes),8:0.0} ms (+ read-back verify {Median(changeVerifies):0.0} ms){(incremental ? ", map elements only" : ", chains rewritten")}");
            summary.Add($"{name}\tchange-1-of-10000\t{Median(changes):0.0} ms\tverify {Median(changeVerifies):0.0} ms");
            figures[(name, "change 1 of 10,000")] = Median(changes);
            figures[(name, "change 1 of 10,000 + verify")] = Median(changes) + Median(changeVerifies);

            // Verify and read counters at 10,000 (what the supervisor and /metrics do).
            var model = Model(10_000);
            Require(await backend.ApplyAsync(model));
            var verifyTimes = new List<double>();
            var counterTimes = new List<double>();
            var counted = 0;
            for (var r = 0; r < rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                var drift = await backend.VerifyAsync(model);
                verifyTimes.Add(clock.Elapsed.TotalMilliseconds);
                if (!drift.IsClean)
                {
                    throw new InvalidOperationException(drift.ToString());
                }
                clock.Restart();
                counted = (await backend.ReadCountersAsync()).Count;
                counterTimes.Add(clock.Elapsed.TotalMilliseconds);
            }
            output.WriteLine($"verify 10,000:          {Median(verifyTimes),8:0.0} ms; read counters ({counted}): {Median(counterTimes):0.0} ms");
            summary.Add($"{name}\tverify-10000\t{Median(verifyTimes):0.0} ms\tcounters-10000\t{Median(counterTimes):0.0} ms");
            figures[(name, "verify 10,000")] = Median(verifyTimes);
            figures[(name, "read counters of 10,000")] = Median(counterTimes);

            // New connections per second through the router: 1 mapping vs 10,000 with the used one last.
            using var server = topology.StartServer(Destination, ServerPort, TimeSpan.FromSeconds(rounds * (seconds * 2 + 30) + 60));
            Require(await backend.ApplyAsync(Model(1)));
            topology.ConnectionRate(0.5); // warm-up
            var one = new List<double>();
            var many = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                Require(await backend.ApplyAsync(Model(1)));
                topology.FlushConntrack();
                one.Add(topology.ConnectionRate(seconds));
                Require(await backend.ApplyAsync(Model(10_000)));
                topology.FlushConntrack();
                many.Add(topology.ConnectionRate(seconds));
                output.WriteLine($"round {r + 1}: conn/s with 1 mapping {one[^1],8:0}, with 10,000 (last used) {many[^1],8:0}, ratio {many[^1] / one[^1]:0.000}");
            }
            var ratios = one.Zip(many, (a, b) => b / a).ToList();
            output.WriteLine($"conn/s 1 mapping: {Median(one):0} | 10,000 mappings: {Median(many):0} | ratio 10k/1: {Median(ratios):0.000} (min {ratios.Min():0.000}, max {ratios.Max():0.000})");
            summary.Add($"{name}\tconn/s-1\t{Median(one):0}\tconn/s-10000\t{Median(many):0}\tratio\t{Median(ratios):0.000}");
            await backend.CleanupAsync();
        }

        output.WriteLine("\n# summary (medians)");
        foreach (var line in summary)
        {
            output.WriteLine(line);
        }
        if (backends.Contains(Nft) && backends.Contains(NftTool))
        {
            output.WriteLine($"\n# nftables native / through nft, same run");
            foreach (var ((backend, figure), value) in figures.Where(f => f.Key.Backend == Nft))
            {
                if (figures.TryGetValue((NftTool, figure), out var tool))
                {
                    output.WriteLine($"ratio\t{figure}\t{value:0.0} ms / {tool:0.0} ms = {value / tool:0.000}");
                }
            }
        }
        return 0;
    }

    /// <summary>
    /// <paramref name="count"/> TCP mappings; ports FirstPort.. map to the destination's server port, and the
    /// last one is always port FirstPort + 9,999, so that the 1-mapping and the 10,000-mapping runs use the same port.
    /// </summary>
    private static NatModel Model(int count, int changedIndex = -1, int changedPort = 0)
    {
        var last = FirstPort + 9_999;
        var dnat = Enumerable.Range(0, count).Select(i =>
        {
            var local = i == count - 1 ? last : FirstPort + i;
            var target = i == changedIndex ? changedPort : ServerPort;
            return new DnatEntry(Protocol.Tcp, PortRange.Single(local), Destination, PortRange.Single(target), "main");
        });
        return new NatModel("eth0", dnat.ToValueList(), [],
            [new SnatEntry("main", Topology.Egress, IPAddress.Parse("192.168.12.99"))],
            [new HomeRouting("main", Topology.Egress, null, 254)]);
    }

    private static void Require(ApplyResult result)
    {
        if (!result.Drift.IsClean)
        {
            throw new InvalidOperationException(result.Drift.ToString());
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>client (10.128.0.10) -- router (eth0 10.128.0.2, egress0 192.168.12.99) -- destination (192.168.12.50), torn down on dispose.</summary>
internal sealed class Topology : IDisposable
{
    public const string Egress = "egress0";
    private readonly List<string> _created = [];

    public Topology(string prefix)
    {
        Client = prefix + "-cl";
        Router = prefix + "-rt";
        Dest = prefix + "-ds";
        try
        {
            foreach (var ns in new[] { Client, Router, Dest })
            {
                Run("ip", "netns", "add", ns);
                _created.Add(ns);
                Run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            Run("ip", "-n", Router, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", Client);
            Run("ip", "-n", Router, "link", "add", Egress, "type", "veth", "peer", "name", "eth0", "netns", Dest);
            Address(Client, "eth0", "10.128.0.10/24");
            Address(Router, "eth0", "10.128.0.2/24");
            Address(Router, Egress, "192.168.12.99/24");
            Address(Dest, "eth0", "192.168.12.50/24");
            Run("ip", "-n", Client, "route", "add", "default", "via", "10.128.0.2");
            Run("ip", "netns", "exec", Router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Client { get; }

    public string Router { get; }

    public string Dest { get; }

    public Server StartServer(IPAddress address, int port, TimeSpan lifetime) =>
        new(Dest, address, port, lifetime);

    public double ConnectionRate(double seconds)
    {
        var text = Run("ip", "netns", "exec", Client, Environment.ProcessPath!, "crr-client", "10.128.0.2",
            (10_000 + 9_999).ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture));
        return double.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    public void FlushConntrack() => Run("ip", ["netns", "exec", Router, "conntrack", "-F"], allowFailure: true);

    public void Dispose()
    {
        foreach (var ns in _created)
        {
            Run("ip", ["netns", "del", ns], allowFailure: true);
        }
        _created.Clear();
    }

    private static void Address(string ns, string device, string address)
    {
        Run("ip", "-n", ns, "address", "add", address, "dev", device);
        Run("ip", "-n", ns, "link", "set", device, "up");
    }

    internal static string Run(string program, params string[] args) => Run(program, args, allowFailure: false);

    internal static string Run(string program, string[] args, bool allowFailure)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish");
        }
        if (process.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {error.Result.Trim()}");
        }
        return output.Result;
    }
}

/// <summary>The connection-rate server in the destination namespace, killed on dispose.</summary>
internal sealed class Server : IDisposable
{
    private readonly Process _process;

    public Server(string ns, IPAddress address, int port, TimeSpan lifetime)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", ns, Environment.ProcessPath!, "crr-server", address.ToString(), port.ToString(CultureInfo.InvariantCulture),
                     lifetime.TotalSeconds.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start)!;
        var ready = _process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(15)) || ready.Result != "ready")
        {
            Dispose();
            throw new InvalidOperationException("the connection-rate server did not start");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
