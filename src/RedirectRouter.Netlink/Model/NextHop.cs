using System.Net;

namespace RedirectRouter.Netlink.Model;

/// <summary>One next hop of a multipath route: <c>nexthop via GW dev DEV weight W [onlink]</c>.</summary>
/// <param name="Gateway">The gateway, or null for a device-only hop.</param>
/// <param name="InterfaceIndex">The output interface.</param>
/// <param name="Weight">The weight, 1 to 256.</param>
/// <param name="OnLink">Treat the gateway as on the link even if no prefix covers it.</param>
public sealed record NextHop(IPAddress? Gateway, int InterfaceIndex, int Weight = 1, bool OnLink = false)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"nexthop{(Gateway is null ? "" : $" via {Gateway}")} dev #{InterfaceIndex} weight {Weight}{(OnLink ? " onlink" : "")}";
}
