using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Netlink;

public sealed partial class NetlinkHandle
{
    /// <summary>Lists every link. Equivalent to <c>ip -d -s link show</c>.</summary>
    public IReadOnlyList<Link> LinkList() =>
        Dump(RtmType.GetLink, "ip link show", static (ref w, _) => LinkCodec.WriteSelector(ref w, 0, null), LinkCodec.Decode);

    /// <summary>Finds a link by name, or null. Equivalent to <c>ip link show dev NAME</c>.</summary>
    public Link? LinkGetByName(string name) =>
        Get(RtmType.GetLink, name, static (ref w, n) => LinkCodec.WriteSelector(ref w, 0, n), LinkCodec.Decode);

    /// <summary>Finds a link by index, or null. Equivalent to <c>ip link show</c> for one index.</summary>
    public Link? LinkGetByIndex(int index) =>
        Get(RtmType.GetLink, index, static (ref w, i) => LinkCodec.WriteSelector(ref w, i, null), LinkCodec.Decode);

    /// <summary>
    /// Creates a link. Equivalent to <c>ip link add link PARENT name NAME [mtu M] [netns NS] type macvlan mode MODE</c>
    /// (or <c>type veth peer name PEER</c>, <c>type bridge</c>). With <see cref="LinkSpec.TargetNamespace"/> the link is
    /// created in this handle's namespace, next to its parent, and placed directly into the target namespace.
    /// </summary>
    public void LinkAdd(LinkSpec spec)
    {
        // The kernel reads IFLA_NET_NS_FD during the call; the descriptors must stay open until then.
        Execute(RtmType.NewLink, NetlinkFlags.Create | NetlinkFlags.Exclusive, spec, static (ref w, s) => LinkCodec.WriteAdd(ref w, s));
        GC.KeepAlive(spec.TargetNamespace);
        GC.KeepAlive((spec as VethLinkSpec)?.PeerNamespace);
    }

    /// <summary>Sets a link up. Equivalent to <c>ip link set dev DEV up</c>.</summary>
    public void LinkSetUp(int index) =>
        LinkChange(new LinkChange(index) { Flags = InterfaceFlags.Up, FlagsMask = InterfaceFlags.Up });

    /// <summary>Sets a link down. Equivalent to <c>ip link set dev DEV down</c>.</summary>
    public void LinkSetDown(int index) =>
        LinkChange(new LinkChange(index) { Flags = InterfaceFlags.None, FlagsMask = InterfaceFlags.Up });

    /// <summary>Sets the MTU. Equivalent to <c>ip link set dev DEV mtu MTU</c>.</summary>
    public void LinkSetMtu(int index, int mtu) => LinkChange(new LinkChange(index) { Mtu = mtu });

    /// <summary>Renames a link (it must be down). Equivalent to <c>ip link set dev DEV name NAME</c>.</summary>
    public void LinkSetName(int index, string name) => LinkChange(new LinkChange(index) { Name = name });

    /// <summary>Sets a link's alias, for example to mark links we created. Equivalent to <c>ip link set dev DEV alias TEXT</c>.</summary>
    public void LinkSetAlias(int index, string alias) => LinkChange(new LinkChange(index) { Alias = alias });

    /// <summary>Enslaves a link to a bridge; 0 releases it. Equivalent to <c>ip link set dev DEV master BR</c>.</summary>
    public void LinkSetMaster(int index, int masterIndex) => LinkChange(new LinkChange(index) { MasterIndex = masterIndex });

    /// <summary>Moves a link into another namespace. Equivalent to <c>ip link set dev DEV netns NS</c>.</summary>
    public void LinkSetNamespace(int index, NetNamespace ns)
    {
        LinkChange(new LinkChange(index) { Namespace = ns });
        GC.KeepAlive(ns);
    }

    /// <summary>Applies several link changes in one request. Equivalent to one <c>ip link set</c> with several arguments.</summary>
    public void LinkChange(LinkChange change) =>
        Execute(RtmType.NewLink, NetlinkFlags.None, change, static (ref w, c) => LinkCodec.WriteChange(ref w, c));

    /// <summary>Deletes a link. Equivalent to <c>ip link del dev DEV</c>.</summary>
    public void LinkDelete(int index) =>
        Execute(RtmType.DelLink, NetlinkFlags.None, new LinkChange(index), static (ref w, c) => LinkCodec.WriteSelector(ref w, c.Index, null));
}
