using System.Globalization;
using System.Net;
using RedirectRouter.TestSupport;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary>
/// The agent under many reloads and scrapes with 10,000 mappings, interleaved with faults: it never crashes,
/// traffic follows every change, and its memory, open files and threads level off. Short by default (part of
/// ./scripts/test.sh, for each agent build); RR_RELIABILITY=full gives the full soak (./scripts/reliability.sh);
/// RR_SOAK_RELOADS and RR_SOAK_SCRAPES override the counts.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class SoakTests
{
    private const int Mappings = 10_000;
    private static readonly IPAddress Router = IPAddress.Parse("10.128.0.2");
    private static readonly IPAddress Destination = IPAddress.Parse("172.16.100.25");

    private static bool Full => Environment.GetEnvironmentVariable("RR_RELIABILITY") == "full";

    private static int Size(string variable, int shortSize, int fullSize) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : Full ? fullSize : shortSize;

    // Port 8080 is the mapping that every reload changes (its target alternates between 80 and 81); the other
    // 10,000 stay as they are.
    private static string Config(Lab lab, int webTarget) => lab.TwoHomesConfig(
    [
        $"  - {{ protocol: tcp, port: 8080, destination: 172.16.100.25, targetPort: {webTarget}, home: a }}",
        .. Enumerable.Range(0, Mappings).Select(i =>
            $"  - {{ protocol: tcp, port: {20000 + i}, destination: 172.16.100.25, targetPort: 80, home: {(i % 2 == 0 ? "a" : "b")} }}"),
    ]);

    private sealed record Sample(string When, long RssKiB, int OpenFiles, int Threads)
    {
        public override string ToString() => $"{When}: RSS {RssKiB / 1024.0:0.0} MiB, {OpenFiles} fds, {Threads} threads";
    }

    private static Sample Measure(string when, int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        long Field(string name) => long.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return new Sample(when, Field("VmRSS"), Directory.GetFiles($"/proc/{pid}/fd").Length, (int)Field("Threads"));
    }

    // The shared objects mapped into the process (a static binary has none, and must never gain one: a
    // dlopen in a static glibc process maps a second libc, which corrupts memory).
    private static string[] SharedObjects(int pid) => File.ReadAllLines($"/proc/{pid}/maps")
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(5) ?? "")
        .Where(path => path.Contains(".so", StringComparison.Ordinal))
        .Distinct(StringComparer.Ordinal)
        .ToArray();

    [Fact]
    public void ReloadsAndScrapesWithTenThousandMappingsNeverCrashTrafficFollowsAndResourcesLevelOff()
    {
        var reloads = Size("RR_SOAK_RELOADS", 12, 1000);
        var scrapes = Size("RR_SOAK_SCRAPES", 120, 10_000);
        var faultEvery = Math.Max(3, reloads / 10);
        using var lab = new Lab();
        using var web80 = lab.ServeTcp(Destination, 80);
        using var web81 = lab.ServeTcp(Destination, 81);
        var config = lab.TempFile("soak.yaml", Config(lab, 80));
        void Publish(int target)
        {
            // Written beside and renamed over, as an editor or a ConfigMap update does.
            var next = config + ".next";
            File.WriteAllText(next, Config(lab, target));
            File.Move(next, config, overwrite: true);
        }

        var port = 9100 + Random.Shared.Next(800);
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}", "--probe-window", "0");
        agent.WaitReady(port);
        var pid = agent.Pid;
        var sharedAtStart = SharedObjects(pid);
        if (Lab.AgentIsStatic)
        {
            Assert.Empty(sharedAtStart);
        }

        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
        var samples = new List<Sample> { Measure("start", pid) };
        var series = new List<Sample>();
        var scraped = 0;
        var faults = 0;
        var reloadTimes = new List<double>();
        for (var i = 1; i <= reloads; i++)
        {
            var target = 80 + (i % 2);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Publish(target);
            try
            {
                Lab.WaitFor(() => agent.HasExited || lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(500)) == $"192.168.12.99 {target}",
                    TimeSpan.FromSeconds(20), $"reload {i} (8080 -> {target})");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}; the agent's log:\n{agent.Log}", e);
            }

            Assert.False(agent.HasExited, $"the agent exited during reload {i} (exit {(agent.HasExited ? agent.ExitCode : 0)}): {agent.Log}");
            reloadTimes.Add(watch.Elapsed.TotalMilliseconds);

            for (var s = 0; s < scrapes / reloads; s++, scraped++)
            {
                var (status, body) = agent.Get(port, "/metrics");
                Assert.False(agent.HasExited, $"the agent exited during scrape {scraped + 1}: {agent.Log}");
                Assert.True(status == 200 && body.Contains("redirect_router_ready", StringComparison.Ordinal), $"scrape {scraped + 1}: {status}");
            }

            if (i % faultEvery == 0)
            {
                // Alternately a link fault and a netfilter fault; the agent repairs each and the traffic returns.
                faults++;
                if (faults % 2 == 1)
                {
                    lab.Router.Ip("link", "set", "macvlan0", "down");
                }
                else
                {
                    TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "nft", "flush", "chain", "ip", Netfilter.Nftables.NftRenderer.TableName, Netfilter.Nftables.NftRenderer.DnatChain]);
                }

                try
                {
                    Lab.WaitFor(() => agent.HasExited || lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(500)) == $"192.168.12.99 {target}",
                        TimeSpan.FromSeconds(20), $"the repair of fault {faults}");
                }
                catch (TimeoutException e)
                {
                    throw new TimeoutException($"{e.Message}; the agent's log:\n{agent.Log}", e);
                }

                Assert.False(agent.HasExited, $"the agent exited after fault {faults}: {agent.Log}");
            }

            if (i % Math.Max(1, reloads / 10) == 0 && i < reloads)
            {
                series.Add(Measure($"reload {i}", pid));
            }

            if (i == reloads / 2)
            {
                samples.Add(Measure("middle", pid));
            }
        }

        samples.Add(Measure("end", pid));
        series.Add(samples[^1]);
        var sharedAtEnd = SharedObjects(pid);
        var gained = sharedAtEnd.Except(sharedAtStart, StringComparer.Ordinal).ToArray();
        reloadTimes.Sort();
        var line = $"soak ({(Lab.AgentIsStatic ? "static binary" : string.Join(' ', Lab.AgentCommand.Take(1)))}): {Mappings} mappings, {reloads} reloads " +
            $"(each changing one mapping; traffic followed every one, median {reloadTimes[reloadTimes.Count / 2]:0} ms, max {reloadTimes[^1]:0} ms from the file change to the new answer), " +
            $"{scraped} scrapes, {faults} faults repaired; {string.Join("; ", samples)}; shared objects mapped: {sharedAtEnd.Length} ({gained.Length} gained)";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("RR_RELIABILITY_REPORT") is { Length: > 0 } file)
        {
            File.AppendAllText(file, line + "\n");
        }

        Assert.Empty(gained);
        // Levelling off: the last third of the run peaks no higher than the two thirds before it (after the
        // warm-up from the start sample), within allocator and GC slack. Peaks, not single samples, because the
        // garbage collector's heap is a sawtooth.
        var split = Math.Max(1, series.Count * 2 / 3);
        var (earlier, later) = (series.Take(split).ToArray(), series.Skip(split).DefaultIfEmpty(series[^1]).ToArray());
        var everything = string.Join("; ", series);
        // The heap needs some dozens of reloads to reach its working size (each verification still parses a
        // listing of the whole ruleset), so memory is judged only on a run long enough to tell.
        if (reloads >= 100)
        {
            Assert.True(later.Max(x => x.RssKiB) <= Math.Max(earlier.Max(x => x.RssKiB) * 5 / 4, earlier.Max(x => x.RssKiB) + (16 * 1024)), $"RSS grew: {everything}");
        }

        Assert.True(later.Max(x => x.OpenFiles) <= earlier.Max(x => x.OpenFiles) + 8, $"open files grew: {everything}");
        Assert.True(later.Max(x => x.Threads) <= earlier.Max(x => x.Threads) + 8, $"threads grew: {everything}");
        Assert.Equal(0, agent.Stop());
    }
}
