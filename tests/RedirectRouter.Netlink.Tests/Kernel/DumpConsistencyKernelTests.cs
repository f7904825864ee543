using RedirectRouter.Netlink.Model;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netlink.Tests.Kernel;

public sealed class DumpConsistencyKernelTests
{
    [Fact]
    public void LinkDumpsDuringChurnAreRetriedAndStayConsistent()
    {
        using var ns = TestNamespace.Create("churn");
        // Enough links that a dump spans several datagrams, so a change between them marks it interrupted.
        var batch = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(batch, Enumerable.Range(0, 400).Select(i => $"link add s{i} type veth peer name t{i}"));
            ns.Ip("-batch", batch);
        }
        finally
        {
            File.Delete(batch);
        }

        using var reader = NetlinkHandle.OpenIn(ns.Handle);
        using var writer = NetlinkHandle.OpenIn(ns.Handle);
        var stop = false;
        var churn = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                writer.LinkAdd(new BridgeLinkSpec { Name = "churn0" });
                writer.LinkDelete(writer.LinkGetByName("churn0")!.Index);
                // A pause between changes, so that some dumps complete: with changes back to back on a loaded
                // machine every attempt can be interrupted, and five in a row is (rightly) an error.
                Thread.Sleep(2);
            }
        });
        churn.Start();

        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            var completed = 0;
            while ((reader.InterruptedDumpsRetried == 0 || completed == 0) && DateTime.UtcNow < deadline)
            {
                IReadOnlyList<RedirectRouter.Netlink.Model.Link> links;
                try
                {
                    links = reader.LinkList();
                }
                catch (NetlinkException e) when (e.Errno == Errors.EINTR)
                {
                    // Five interrupted attempts in a row is the documented give-up; on a loaded machine it happens.
                    continue;
                }

                completed++;
                // Every complete dump holds all 800 veth ends plus lo, with or without churn0.
                Assert.InRange(links.Count, 801, 802);
                Assert.Equal(links.Count, links.Select(l => l.Index).Distinct().Count());
            }

            Assert.True(completed > 0, "no dump completed during 10 s of churn");
        }
        finally
        {
            Volatile.Write(ref stop, true);
            churn.Join();
        }

        Assert.True(reader.InterruptedDumpsRetried > 0, "the kernel never marked a link dump interrupted during 10 s of churn");
    }
}
