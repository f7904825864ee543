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
