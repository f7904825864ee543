using RedirectRouter.TestSupport;

namespace RedirectRouter.Netlink.Tests.Kernel;

public sealed class NamespaceKernelTests
{
    [Fact]
    public void NamespacesOpenByNamePathAndPidAndHandlesStayInTheirOwn()
    {
        using var a = TestNamespace.Create("ns-a");
        using var b = TestNamespace.Create("ns-b");
        a.Ip("link", "add", "only-a", "type", "veth", "peer", "name", "only-a1");

        using var byName = NetNamespace.OpenName(a.Name);
        using var byPath = NetNamespace.OpenPath($"/run/netns/{a.Name}");
        Assert.Equal(byName.Id, byPath.Id);
        Assert.NotEqual(byName.Id, b.Handle.Id);

        using var self = NetNamespace.OpenPid(Environment.ProcessId);
        using var current = NetNamespace.OpenCurrent();
        Assert.Equal(self.Id, current.Id);
        Assert.NotEqual(self.Id, a.Handle.Id);

        // Run switches only its own dedicated thread.
        var inside = a.Handle.Run(() => NetNamespace.OpenCurrent().Id);
        Assert.Equal(a.Handle.Id, inside);
        Assert.Equal(self.Id, NetNamespace.OpenCurrent().Id);

        using var handleA = NetlinkHandle.OpenIn(a.Handle);
        using var handleB = NetlinkHandle.OpenIn(b.Handle);
        Assert.NotNull(handleA.LinkGetByName("only-a"));
        Assert.Null(handleB.LinkGetByName("only-a"));
        Assert.Equal(["lo"], handleB.LinkList().Select(l => l.Name));
    }

    [Fact]
    public void ALinksParentNamespaceIsTheOneWhoseNetnsidMatchesAndAskingAssignsNone()
    {
        using var a = TestNamespace.Create("nsid-a");
        using var b = TestNamespace.Create("nsid-b");
        using var c = TestNamespace.Create("nsid-c");
        // A macvlan on a veth of b, moved into a: its parent stays in b (as a node's NIC for a router pod).
        b.Ip("link", "add", "par0", "type", "veth", "peer", "name", "par1");
        b.Ip("link", "add", "link", "par0", "name", "mv0", "type", "macvlan", "mode", "private");
        b.Ip("link", "set", "mv0", "netns", a.Name);
        var parentIndex = b.IpJson("link", "show", "par0")[0].GetProperty("ifindex").GetInt32();

        using var handleA = NetlinkHandle.OpenIn(a.Handle);
        var macvlan = handleA.LinkGetByName("mv0")!;

        Assert.True(macvlan.ParentInOtherNamespace);
        Assert.Equal(parentIndex, macvlan.ParentIndex);
        Assert.NotNull(macvlan.ParentNetNsId);
        Assert.Equal(macvlan.ParentNetNsId, handleA.NetNsIdOf(b.Handle));
        // ip link in a prints the same number.
        Assert.Equal(macvlan.ParentNetNsId, a.IpJson("link", "show", "mv0")[0].GetProperty("link_netnsid").GetInt32());
        // An unrelated namespace has no id in a, and asking gives it none.
        Assert.Null(handleA.NetNsIdOf(c.Handle));
        Assert.Null(handleA.NetNsIdOf(c.Handle));
        var ids = TestNamespace.Run("ip", ["-n", a.Name, "netns", "list-id"]);
        Assert.Contains(b.Name, ids, StringComparison.Ordinal);
        Assert.DoesNotContain(c.Name, ids, StringComparison.Ordinal);
        // A link whose parent is in its own namespace has no netnsid.
        using var handleB = NetlinkHandle.OpenIn(b.Handle);
        Assert.Null(handleB.LinkGetByName("par0")!.ParentNetNsId);
    }

    [Fact]
    public void RunInTheCallersOwnNamespaceNeedsNoSysAdmin()
    {
        Privileged.Require();
        using var other = TestNamespace.Create("ns-nosys");
        using var own = NetNamespace.OpenPid(Environment.ProcessId);
        string? ownResult = null;
        Exception? ownFailure = null, otherFailure = null;
        // Capabilities are per thread and inherited by the threads it starts: drop SYS_ADMIN from this one's
        // effective set, as in a container that holds NET_ADMIN and NET_RAW only.
        var thread = new Thread(() =>
        {
            ThreadCapabilities.DropEffective(21);
            try
            {
                ownResult = own.Run(() => NetNamespace.OpenCurrent().Id);
            }
            catch (Exception e)
            {
                ownFailure = e;
            }
            try
            {
                other.Handle.Run(() => true);
            }
            catch (Exception e)
            {
                otherFailure = e;
            }
        });
        thread.Start();
        thread.Join();

        Assert.Null(ownFailure);
        Assert.Equal(own.Id, ownResult);
        // Entering another namespace still takes SYS_ADMIN: the drop took effect.
        var refused = Assert.IsType<NetlinkException>(otherFailure);
        Assert.Contains("EPERM", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateAndDeleteAreVisibleToIpNetns()
    {
        Privileged.Require();
        var name = $"{TestNamespace.NamePrefix}{Environment.ProcessId}-create";
        try
        {
            using (NetNamespace.Create(name))
            {
                Assert.Contains(name, TestNamespace.Run("ip", ["netns", "list"]));
                Assert.Contains(name, NetNamespace.ListNames());
            }

            NetNamespace.Delete(name);
            Assert.DoesNotContain(name, TestNamespace.Run("ip", ["netns", "list"]));
            NetNamespace.Delete(name);
        }
        finally
        {
            NetNamespace.Delete(name);
        }
    }

    [Fact]
    public void OpeningAMissingNamespaceIsATypedError()
    {
        var e = Assert.Throws<NetlinkException>(() => NetNamespace.OpenName("rrt-does-not-exist"));
        Assert.Equal(Errors.ENOENT, e.Errno);
        Assert.Contains("/run/netns/rrt-does-not-exist", e.Message);
    }
}

/// <summary>capget/capset for the calling thread (pid 0), version 3 (two 32-bit words per set).</summary>
internal static class ThreadCapabilities
{
    private const uint Version3 = 0x20080522;

    public static void DropEffective(int capability)
    {
        var header = new Header { Version = Version3, Pid = 0 };
        var data = new Data[2];
        if (capget(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capget failed: {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
        data[capability / 32].Effective &= ~(1u << (capability % 32));
        if (capset(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capset failed: {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    private struct Header
    {
        public uint Version;
        public int Pid;
    }

#pragma warning disable CS0649 // filled in by capget
    private struct Data
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }
#pragma warning restore CS0649

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int capget(ref Header header, [System.Runtime.InteropServices.In, System.Runtime.InteropServices.Out] Data[] data);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int capset(ref Header header, Data[] data);
}
