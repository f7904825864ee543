using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink;

public sealed partial class NetlinkHandle
{
    /// <summary>
    /// The id that this handle's namespace gives to <paramref name="ns"/> (its netnsid), or null when it has given it
    /// none. This is the number <c>ip link</c> in this namespace prints as <c>link-netnsid N</c> for a link whose parent
    /// or peer lives in <paramref name="ns"/> (see <see cref="Model.Link.ParentNetNsId"/>); <c>ip netns list-id</c>
    /// lists them, and <c>ip netns identify</c> names the namespace of a process. Asking assigns no id.
    /// </summary>
    public int? NetNsIdOf(NetNamespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var reply = Get(RtmType.GetNsId, ns.Fd, static (ref w, fd) => NsIdCodec.WriteGetByFd(ref w, fd), NsIdCodec.Decode);
        GC.KeepAlive(ns);
        return reply is { Id: >= 0 } ? reply.Id : null;
    }
}
