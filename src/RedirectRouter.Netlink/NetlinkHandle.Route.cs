using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using AddressFamily = System.Net.Sockets.AddressFamily;

namespace RedirectRouter.Netlink;

public sealed partial class NetlinkHandle
{
    /// <summary>
    /// Lists the routes of one family, optionally of one table (null: every table, like <c>table all</c>).
    /// Equivalent to <c>ip route show table TABLE</c>; the kernel's cache entries are left out.
    /// </summary>
    public IReadOnlyList<Route> RouteList(AddressFamily family, uint? table = Route.MainTable)
    {
        var all = Dump(RtmType.GetRoute, WireFamily.Of(family), static (ref w, f) => RouteCodec.WriteDump(ref w, f), RouteCodec.Decode);
        return table is { } t ? all.Where(r => r.Table == t).ToArray() : all;
    }

    /// <summary>Adds a route; EEXIST if present. Equivalent to <c>ip route add ...</c>.</summary>
    public void RouteAdd(Route route) =>
        Execute(RtmType.NewRoute, NetlinkFlags.Create | NetlinkFlags.Exclusive, route, static (ref w, r) => RouteCodec.WriteNew(ref w, r));

    /// <summary>Adds or replaces a route. Equivalent to <c>ip route replace ...</c>.</summary>
    public void RouteReplace(Route route) =>
        Execute(RtmType.NewRoute, NetlinkFlags.Create | NetlinkFlags.Replace, route, static (ref w, r) => RouteCodec.WriteNew(ref w, r));

    /// <summary>Deletes a route; ESRCH if absent. Equivalent to <c>ip route del ...</c>.</summary>
    public void RouteDelete(Route route) =>
        Execute(RtmType.DelRoute, NetlinkFlags.None, route, static (ref w, r) => RouteCodec.WriteDelete(ref w, r));

    /// <summary>Adds many routes, several per datagram. Equivalent to <c>ip -batch</c> of <c>route add</c> lines.</summary>
    public void RouteAddBatch(IReadOnlyList<Route> routes) =>
        ExecuteBatch(RtmType.NewRoute, NetlinkFlags.Create | NetlinkFlags.Exclusive, routes, static (ref w, r) => RouteCodec.WriteNew(ref w, r));

    /// <summary>Deletes many routes, several per datagram. Equivalent to <c>ip -batch</c> of <c>route del</c> lines.</summary>
    public void RouteDeleteBatch(IReadOnlyList<Route> routes) =>
        ExecuteBatch(RtmType.DelRoute, NetlinkFlags.None, routes, static (ref w, r) => RouteCodec.WriteDelete(ref w, r));
}
