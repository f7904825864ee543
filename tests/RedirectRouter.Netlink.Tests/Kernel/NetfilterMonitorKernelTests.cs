using System.Collections.Concurrent;
using System.Diagnostics;
using RedirectRouter.Netlink.NfTables;
using RedirectRouter.TestSupport;
using Tmds.Linux;

namespace RedirectRouter.Netlink.Tests.Kernel;

/// <summary>The nf_tables change monitor on a real socket: a change wakes it, and an unexpected error is reported without ending the process.</summary>
public sealed class NetfilterMonitorKernelTests
{
    [Fact]
    public void AChangeWakesItAndAnUnexpectedSocketErrorIsReportedAndPacedWithoutEndingTheProcess()
    {
        using var ns = TestNamespace.Create("nfmon");
        var failures = new ConcurrentQueue<Exception>();
        var changes = 0;
        using (var monitor = NetfilterChangeMonitor.Open(() => Interlocked.Increment(ref changes), ns.Handle, failures.Enqueue))
        {
            TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", "add", "table", "ip", "rrt_monitor"]);
            Wait(() => Volatile.Read(ref changes) > 0, "a change event");

            // The descriptor under the reader becomes /dev/null: always readable, never a socket, so every receive fails.
            using var devNull = File.OpenHandle("/dev/null");
            Assert.True(LibC.dup2((int)devNull.DangerousGetHandle(), monitor.SocketFd) >= 0);
            // The reader still waits on the old socket: one more change wakes it onto the new descriptor.
            TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", "delete", "table", "ip", "rrt_monitor"]);
            Wait(() => !failures.IsEmpty, "the first failure reported");
            Thread.Sleep(2500);
            var count = failures.Count;
            // Reported about once a second (a failing socket must not spin), each also counted as a possible change.
            Assert.InRange(count, 2, 5);
            Assert.All(failures, e => Assert.IsType<NetlinkException>(e));
            Assert.True(Volatile.Read(ref changes) >= 1 + count - 1);
        }

        // Dispose returned: the reader thread ended on request.
    }

    [Fact]
    public void EachTransactionIsReportedOnceWithItsSendersPortIdProcessAndGeneration()
    {
        using var ns = TestNamespace.Create("nftxn");
        TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", "add", "table", "ip", "rrt_txn"]);
        TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", "add", "map", "ip", "rrt_txn", "m", "{ type inet_proto . inet_service : ipv4_addr . inet_service; }"]);
        var seen = new ConcurrentQueue<NetfilterTransaction>();
        using var monitor = NetfilterChangeMonitor.Open(seen.Enqueue, ns.Handle);
        using var nft = NfTablesHandle.OpenIn(ns.Handle);
        var map = new NfMap(NfFamily.Ip, "rrt_txn", "m", NfMapKind.Ports);

        // One batch of two operations (a delete and an add) is one transaction: one report, not one per event.
        nft.ElementsAdd(map, [new(new NfPortKey(6, 1), NfMapValue.To(System.Net.IPAddress.Parse("10.0.0.1"), 1))]);
        nft.ElementsReplace(map, [new(new NfPortKey(6, 1), NfMapValue.To(System.Net.IPAddress.Parse("10.0.0.2"), 2))]);
        var generation = nft.GenerationGet();
        Wait(() => seen.Count >= 2, "two transactions");
        Thread.Sleep(200);
        var ours = seen.ToArray();
        Assert.Equal(2, ours.Length);
        Assert.All(ours, t => Assert.Equal(nft.PortId, t.PortId));
        // The kernel names the committing thread (of this process: its id is one of our tasks).
        Assert.All(ours, t => Assert.True(Directory.Exists($"/proc/self/task/{t.ProcessId}"), t.ToString()));
        Assert.Equal(generation.Id, ours[^1].Generation);
        Assert.False(ours[^1].EventsLost);

        // Another process's transaction carries its own port id and process.
        seen.Clear();
        TestNamespace.Run("ip", ["netns", "exec", ns.Name, "nft", "add", "element", "ip", "rrt_txn", "m", "{ tcp . 2 : 10.0.0.3 . 3 }"]);
        Wait(() => !seen.IsEmpty, "the foreign transaction");
        Thread.Sleep(200);
        var foreign = Assert.Single(seen);
        Assert.NotEqual(nft.PortId, foreign.PortId);
        Assert.NotEqual((uint)Environment.ProcessId, foreign.ProcessId);
        Assert.NotNull(foreign.ProcessId);
    }

    private static void Wait(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{what} did not happen");
            Thread.Sleep(10);
        }
    }
}
