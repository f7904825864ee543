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

    [Fact]
    public void OneLinksAddressesAreDumpedByTheKernelAloneAndAMissingLinkHasNone()
    {
        using var ns = TestNamespace.Create("addrdev");
        ns.Ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ns.Ip("addr", "add", "192.168.12.1/24", "dev", "v0");
        ns.Ip("addr", "add", "192.168.13.1/24", "dev", "v1");
        ns.Ip("addr", "add", "fd00:13::1/64", "dev", "v1", "nodad");
        using var handle = NetlinkHandle.OpenIn(ns.Handle);
        Assert.True(handle.Features.StrictCheck, "this kernel should support NETLINK_GET_STRICT_CHK (4.20+)");
        var v0 = handle.LinkGetByName("v0")!.Index;
        var v1 = handle.LinkGetByName("v1")!.Index;

        var listed = handle.AddrList(System.Net.Sockets.AddressFamily.Unspecified, v1);
        Assert.Equal(["192.168.13.1", "fd00:13::1"], listed.Select(a => a.Address.ToString()).Where(a => !a.StartsWith("fe80", StringComparison.Ordinal)).Order());
        Assert.All(listed, a => Assert.Equal(v1, a.InterfaceIndex));

        // The raw dump with the index in the request header already holds only that link's addresses.
        var raw = handle.Dump(RtmType.GetAddr, v0, static (ref w, i) => RedirectRouter.Netlink.Codec.AddressCodec.WriteDump(ref w, AddressFamily.Unspecified, i),
            RedirectRouter.Netlink.Codec.AddressCodec.Decode);
        Assert.NotEmpty(raw);
        Assert.All(raw, a => Assert.Equal(v0, a.InterfaceIndex));

        // An index no link has: the kernel refuses the filtered dump (ENODEV); the verb reports no addresses.
        Assert.Empty(handle.AddrList(System.Net.Sockets.AddressFamily.InterNetwork, 99_999));
    }
}
