using System.Diagnostics;
using System.Net;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Lab;

/// <summary>
/// Adds then deletes N routes in a throw-away namespace, with our library (one request per datagram,
/// and batched) and with <c>ip -batch</c>, interleaved over several rounds; prints medians and the ratio.
/// </summary>
public static class NetlinkBenchmark
{
    public static int Run(int count, int rounds, TextWriter output)
    {
        var name = $"rrbench-{Environment.ProcessId}";
        using var ns = NetNamespace.Create(name);
        var batchDir = Directory.CreateTempSubdirectory("rr-bench-");
        try
        {
            using var handle = NetlinkHandle.OpenIn(ns);
            handle.LinkAdd(new VethLinkSpec { Name = "v0", PeerName = "v1" });
            var dev = handle.LinkGetByName("v0")!;
            handle.LinkSetUp(dev.Index);
            handle.LinkSetUp(handle.LinkGetByName("v1")!.Index);
            handle.AddrAdd(new InterfaceAddress { InterfaceIndex = dev.Index, Address = IPAddress.Parse("10.255.0.1"), PrefixLength = 24 });

            var routes = Enumerable.Range(0, count)
                .Select(i => new Route
                {
                    Destination = new IPNetwork(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 32),
                    Gateway = IPAddress.Parse("10.255.0.2"),
                    OutputInterface = dev.Index,
                    Table = 100,
                })
                .ToArray();
            var addFile = Path.Combine(batchDir.FullName, "add");
            var delFile = Path.Combine(batchDir.FullName, "del");
            File.WriteAllLines(addFile, routes.Select(r => $"route add {r.Destination} via 10.255.0.2 dev v0 table 100"));
            File.WriteAllLines(delFile, routes.Select(r => $"route del {r.Destination} via 10.255.0.2 dev v0 table 100"));

            // Warm up both paths (JIT, page cache for ip) before measuring.
            handle.RouteAddBatch(routes[..Math.Min(100, count)]);
            handle.RouteDeleteBatch(routes[..Math.Min(100, count)]);
            IpBatch(name, addFile);
            IpBatch(name, delFile);

            var single = new List<double>();
            var batched = new List<double>();
            var ip = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var watch = Stopwatch.StartNew();
                foreach (var route in routes)
                {
                    handle.RouteAdd(route);
                }

                foreach (var route in routes)
                {
                    handle.RouteDelete(route);
                }

                single.Add(watch.Elapsed.TotalMilliseconds);

                watch.Restart();
                handle.RouteAddBatch(routes);
                handle.RouteDeleteBatch(routes);
                batched.Add(watch.Elapsed.TotalMilliseconds);

                watch.Restart();
                IpBatch(name, addFile);
                IpBatch(name, delFile);
                ip.Add(watch.Elapsed.TotalMilliseconds);
                output.WriteLine($"round {round}: ours-single {single[^1]:F1} ms, ours-batched {batched[^1]:F1} ms, ip -batch {ip[^1]:F1} ms");
            }

            output.WriteLine($"routes: {count} added then deleted, {rounds} rounds, medians:");
            output.WriteLine($"ours (one request per datagram): {Median(single):F1} ms");
            output.WriteLine($"ours (batched, up to 128 per datagram): {Median(batched):F1} ms");
            output.WriteLine($"ip -batch: {Median(ip):F1} ms");
            output.WriteLine($"ratio: {Median(batched) / Median(ip):F3}");
            return 0;
        }
        finally
        {
            batchDir.Delete(recursive: true);
            NetNamespace.Delete(name);
        }
    }

    private static void IpBatch(string ns, string file)
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "-n", ns, "-batch", file })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip -batch {file} failed: {error}");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
