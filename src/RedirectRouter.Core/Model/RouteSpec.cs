using System.Net;

namespace RedirectRouter.Core.Model;

/// <summary>A route out of a home: a destination prefix via one next hop, or several (ECMP).</summary>
/// <param name="Destination">The destination prefix.</param>
/// <param name="NextHops">The next hops; empty means the destination is directly on the link.</param>
/// <param name="Metric">The route metric (priority); null = the kernel default.</param>
public sealed record RouteSpec(IPNetwork Destination, ValueList<NextHop> NextHops, int? Metric);

/// <summary>One next hop of a route, with its ECMP weight.</summary>
/// <param name="Gateway">The next-hop router.</param>
/// <param name="Weight">The relative weight, 1..256 (the kernel stores weight-1 in a byte).</param>
public sealed record NextHop(IPAddress Gateway, int Weight = 1)
{
    /// <summary>"192.0.2.1" or "192.0.2.1 weight 2".</summary>
    public override string ToString() => Weight == 1 ? Gateway.ToString() : $"{Gateway} weight {Weight}";
}
