using System.Collections.Concurrent;
using System.Diagnostics;
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
