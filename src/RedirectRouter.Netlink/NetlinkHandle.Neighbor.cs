using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using AddressFamily = System.Net.Sockets.AddressFamily;

namespace RedirectRouter.Netlink;

public sealed partial class NetlinkHandle
{
    /// <summary>Lists neighbour cache entries, optionally of one link. Equivalent to <c>ip neigh show [dev DEV]</c>.</summary>
    public IReadOnlyList<Neighbor> NeighborList(AddressFamily family = AddressFamily.Unspecified, int? interfaceIndex = null)
    {
        var all = Dump(RtmType.GetNeigh, WireFamily.Of(family), static (ref w, f) => NeighborCodec.WriteDump(ref w, f), NeighborCodec.Decode);
        return interfaceIndex is { } index ? all.Where(n => n.InterfaceIndex == index).ToArray() : all;
    }
}
