using System.Net;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netlink.Tests.Kernel;

public sealed class AddressKernelTests
{
    [Fact]
    public void IPv4AndIPv6AddressesAreAddedReplacedAndDeleted()
    {
        using var ns = TestNamespace.Create("addr");
        ns.Ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ns.Ip("link", "set", "v0", "up");
        using var handle = NetlinkHandle.OpenIn(ns.Handle);
        var index = handle.LinkGetByName("v0")!.Index;
        var v4 = new InterfaceAddress { InterfaceIndex = index, Address = IPAddress.Parse("192.168.12.99"), PrefixLength = 24 };
        var v6 = new InterfaceAddress { InterfaceIndex = index, Address = IPAddress.Parse("fd00:12::99"), PrefixLength = 64, Flags = AddressFlags.NoDad };

        handle.AddrAdd(v4);
        handle.AddrAdd(v6);
        var witness = ns.IpJson("addr", "show", "dev", "v0")[0].GetProperty("addr_info").EnumerateArray()
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}").ToArray();
        Assert.Contains("192.168.12.99/24", witness);
        Assert.Contains("fd00:12::99/64", witness);

        var listed = handle.AddrList(AddressFamily.Unspecified, index);
        Assert.Contains(listed, a => a.Address.Equals(v4.Address) && a.PrefixLength == 24);
        Assert.Contains(listed, a => a.Address.Equals(v6.Address) && (a.Flags & AddressFlags.NoDad) != 0);

        // Replace is idempotent where add is not.
        handle.AddrReplace(v4);
        handle.AddrReplace(v6);
        Assert.Equal(Errors.EEXIST, Assert.Throws<NetlinkException>(() => handle.AddrAdd(v4)).Errno);
        Assert.Single(ns.IpJson("-4", "addr", "show", "dev", "v0")[0].GetProperty("addr_info").EnumerateArray());

        handle.AddrDelete(v4);
        handle.AddrDelete(v6);
        var left = ns.IpJson("addr", "show", "dev", "v0", "scope", "global")[0].GetProperty("addr_info").EnumerateArray().ToArray();
        Assert.Empty(left);
        var missing = Assert.Throws<NetlinkException>(() => handle.AddrDelete(v4));
        Assert.Equal(Errors.EADDRNOTAVAIL, missing.Errno);
        Assert.True(missing.IsNotFound);
    }
}
