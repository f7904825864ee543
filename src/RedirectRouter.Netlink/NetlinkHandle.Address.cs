using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using AddressFamily = System.Net.Sockets.AddressFamily;

namespace RedirectRouter.Netlink;

public sealed partial class NetlinkHandle
{
    /// <summary>
    /// Lists addresses of one family (or both with <see cref="AddressFamily.Unspecified"/>), optionally of one link.
    /// Equivalent to <c>ip addr show [dev DEV]</c>. With a link, the kernel dumps only that link's addresses when the
    /// socket has strict checking (<see cref="NetlinkSocketFeatures.StrictCheck"/>, 4.20+); older kernels dump every
    /// address and the list is filtered here. A link that does not exist has no addresses.
    /// </summary>
    public IReadOnlyList<InterfaceAddress> AddrList(AddressFamily family = AddressFamily.Unspecified, int? interfaceIndex = null)
    {
        if (interfaceIndex is not { } index)
        {
            return Dump(RtmType.GetAddr, WireFamily.Of(family), static (ref w, f) => AddressCodec.WriteDump(ref w, f), AddressCodec.Decode);
        }

        try
        {
            var dumped = Dump(RtmType.GetAddr, new AddressDump(WireFamily.Of(family), Features.StrictCheck ? index : 0),
                static (ref w, d) => AddressCodec.WriteDump(ref w, d.Family, d.InterfaceIndex), AddressCodec.Decode);
            return dumped.Where(a => a.InterfaceIndex == index).ToArray();
        }
        catch (NetlinkException e) when (e.Errno == Errors.ENODEV)
        {
            // The kernel refuses a filtered dump for an index it does not know; unfiltered, that link simply had none.
            return [];
        }
    }

    /// <summary>The selector of an address dump, shown in errors as <c>ip addr show</c> would be asked.</summary>
    private readonly record struct AddressDump(byte Family, int InterfaceIndex)
    {
        public override string ToString() => $"ip addr show{(InterfaceIndex != 0 ? $" dev #{InterfaceIndex}" : "")} (family {Family})";
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
