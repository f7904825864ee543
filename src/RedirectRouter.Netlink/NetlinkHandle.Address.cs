using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using AddressFamily = System.Net.Sockets.AddressFamily;

namespace RedirectRouter.Netlink;

public sealed partial class NetlinkHandle
{
    /// <summary>
    /// Lists addresses of one family (or both with <see cref="AddressFamily.Unspecified"/>), optionally of one link.
    /// Equivalent to <c>ip addr show [dev DEV]</c>.
    /// </summary>
    public IReadOnlyList<InterfaceAddress> AddrList(AddressFamily family = AddressFamily.Unspecified, int? interfaceIndex = null)
    {
        var all = Dump(RtmType.GetAddr, WireFamily.Of(family), static (ref w, f) => AddressCodec.WriteDump(ref w, f), AddressCodec.Decode);
        return interfaceIndex is { } index ? all.Where(a => a.InterfaceIndex == index).ToArray() : all;
    }

    /// <summary>Adds an address; EEXIST if present. Equivalent to <c>ip addr add ADDR/PREFIX dev DEV</c>.</summary>
    public void AddrAdd(InterfaceAddress address) =>
        Execute(RtmType.NewAddr, NetlinkFlags.Create | NetlinkFlags.Exclusive, address, static (ref w, a) => AddressCodec.Write(ref w, a));

    /// <summary>Adds or updates an address. Equivalent to <c>ip addr replace ADDR/PREFIX dev DEV</c>.</summary>
    public void AddrReplace(InterfaceAddress address) =>
        Execute(RtmType.NewAddr, NetlinkFlags.Create | NetlinkFlags.Replace, address, static (ref w, a) => AddressCodec.Write(ref w, a));

    /// <summary>Deletes an address. Equivalent to <c>ip addr del ADDR/PREFIX dev DEV</c>.</summary>
    public void AddrDelete(InterfaceAddress address) =>
        Execute(RtmType.DelAddr, NetlinkFlags.None, address, static (ref w, a) => AddressCodec.Write(ref w, a));
}
