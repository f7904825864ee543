namespace RedirectRouter.Netlink.Model;

/// <summary>A change the kernel announced on an rtnetlink multicast group.</summary>
public abstract record NetlinkEvent
{
    /// <summary>True for <c>RTM_DEL*</c> announcements.</summary>
    public bool Deleted { get; init; }
}

/// <summary>A link appeared, changed or disappeared (<c>RTM_NEWLINK</c> / <c>RTM_DELLINK</c>).</summary>
public sealed record LinkEvent(Link Link) : NetlinkEvent;

/// <summary>An address was added or removed.</summary>
public sealed record AddressEvent(InterfaceAddress Address) : NetlinkEvent;

/// <summary>A route was added, replaced or removed.</summary>
public sealed record RouteEvent(Route Route) : NetlinkEvent;

/// <summary>A policy rule was added or removed.</summary>
public sealed record RuleEvent(RoutingRule Rule) : NetlinkEvent;

/// <summary>
/// The kernel dropped announcements because the socket's buffer was full (ENOBUFS), or one could not be
/// decoded: the listener's picture may be stale and a full resynchronisation is needed.
/// </summary>
public sealed record EventsLostEvent(string Reason) : NetlinkEvent;
