using System.Net;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Model;

/// <summary>A route: <c>ip route add DEST [via GW] [dev DEV] [table T] [metric M] [proto P] [scope S] [onlink]</c>, or with several next hops.</summary>
public sealed record Route
{
    /// <summary>The destination prefix; <c>0.0.0.0/0</c> or <c>::/0</c> for a default route.</summary>
    public required IPNetwork Destination { get; init; }

    /// <summary>The routing table id (254 is <c>main</c>).</summary>
    public uint Table { get; init; } = RouteConstants.TableMain;

    /// <summary>The protocol that owns the route (<c>RTPROT_*</c>); <c>boot</c> as with <c>ip route add</c>.</summary>
    public byte Protocol { get; init; } = RouteConstants.ProtocolBoot;

    /// <summary>The scope; null lets the verb pick (link for a device route without gateway, universe otherwise).</summary>
    public byte? Scope { get; init; }

    /// <summary>The route type (<c>RTN_*</c>); unicast by default.</summary>
    public byte Type { get; init; } = RouteConstants.TypeUnicast;

    /// <summary>The metric (<c>RTA_PRIORITY</c>).</summary>
    public uint? Metric { get; init; }

    /// <summary>The gateway of a single-path route.</summary>
    public IPAddress? Gateway { get; init; }

    /// <summary>The output interface of a single-path route.</summary>
    public int? OutputInterface { get; init; }

    /// <summary>The preferred source address (<c>src</c>).</summary>
    public IPAddress? PreferredSource { get; init; }

    /// <summary>The gateway is on the link even if no prefix covers it (<c>onlink</c>).</summary>
    public bool OnLink { get; init; }

    /// <summary>The next hops of a multipath (ECMP) route; empty for a single-path route.</summary>
    public IReadOnlyList<NextHop> NextHops { get; init; } = [];

    /// <summary>The <c>main</c> table (<c>RT_TABLE_MAIN</c>), where <c>ip route</c> adds routes without <c>table</c>.</summary>
    public const uint MainTable = RouteConstants.TableMain;

    /// <summary>The <c>local</c> table (<c>RT_TABLE_LOCAL</c>): the kernel's routes to the host's own addresses.</summary>
    public const uint LocalTable = RouteConstants.TableLocal;

    /// <summary>The protocol of routes the kernel adds for an address (<c>proto kernel</c>).</summary>
    public const byte KernelProtocol = RouteConstants.ProtocolKernel;

    /// <summary>The scope of a route to anywhere (<c>scope global</c>).</summary>
    public const byte UniverseScope = RouteConstants.ScopeUniverse;

    /// <summary>The scope of a route to the attached link only (<c>scope link</c>).</summary>
    public const byte LinkScope = RouteConstants.ScopeLink;

    /// <summary>The type of an ordinary forwarding route (<c>unicast</c>; local, broadcast and blackhole are others).</summary>
    public const byte UnicastType = RouteConstants.TypeUnicast;

    /// <summary>The address family of <see cref="Destination"/>.</summary>
    public System.Net.Sockets.AddressFamily Family => Destination.BaseAddress.AddressFamily;

    /// <summary>The <c>AF_*</c> byte sent to the kernel.</summary>
    internal byte WireFamily => Interop.WireFamily.Of(Family);

    /// <summary>The scope sent to the kernel.</summary>
    public byte EffectiveScope => Scope ?? (Gateway is null && NextHops.Count == 0 && OutputInterface is not null
        ? RouteConstants.ScopeLink
        : RouteConstants.ScopeUniverse);

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = Destination.PrefixLength == 0 ? "default" : Destination.ToString();
        if (Gateway is not null)
        {
            text += $" via {Gateway}";
        }

        if (OutputInterface is { } oif)
        {
            text += $" dev #{oif}";
        }

        if (Table != RouteConstants.TableMain)
        {
            text += $" table {Table}";
        }

        if (Metric is { } metric)
        {
            text += $" metric {metric}";
        }

        if (OnLink)
        {
            text += " onlink";
        }

        foreach (var hop in NextHops)
        {
            text += $" {hop}";
        }

        return text;
    }
}
