using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Planning;

/// <summary>
/// The NAT the router needs, independent of iptables or nftables: the Netfilter project renders it
/// (through <see cref="IRulesetRenderer"/>).
/// </summary>
/// <param name="ClusterInterface">Client traffic arrives on this interface; only it is DNATed.</param>
/// <param name="Dnat">The redirect rules, in input order.</param>
/// <param name="Fallbacks">Where other traffic arriving on the cluster interface goes, per family.</param>
/// <param name="Snat">The source address per home and family.</param>
/// <param name="Homes">Per home: its interface, firewall mark and table (marks are null with a single home: no policy routing needed).</param>
public sealed record NatModel(
    string ClusterInterface,
    ValueList<DnatEntry> Dnat,
    ValueList<FallbackDnat> Fallbacks,
    ValueList<SnatEntry> Snat,
    ValueList<HomeRouting> Homes)
{
    /// <summary>
    /// TCP ports of the router's own services on the cluster interface (the health and metrics endpoint),
    /// which are never redirected: a fallback would otherwise send the kubelet's probes to the destination.
    /// </summary>
    public ValueList<int> LocalTcpPorts { get; init; } = ValueList<int>.Empty;
}

/// <summary>Traffic to a local port (range) is sent to a destination (and port range), out of a home.</summary>
/// <param name="Protocol">The protocol.</param>
/// <param name="LocalPorts">The local port or range.</param>
/// <param name="Destination">The real destination.</param>
/// <param name="TargetPorts">The destination port or range; null = unchanged.</param>
/// <param name="Home">The home it leaves by.</param>
public sealed record DnatEntry(Protocol Protocol, PortRange LocalPorts, IPAddress Destination, PortRange? TargetPorts, string Home)
{
    /// <summary>The address family.</summary>
    public AddressFamily Family => Destination.AddressFamily;
}

/// <summary>All other traffic of a family goes to one destination, ports unchanged.</summary>
/// <param name="Family">The family.</param>
/// <param name="Destination">The destination.</param>
/// <param name="Home">The home it leaves by.</param>
public sealed record FallbackDnat(AddressFamily Family, IPAddress Destination, string Home);

/// <summary>Traffic leaving by <paramref name="Interface"/> takes <paramref name="Source"/> as its source.</summary>
/// <param name="Home">The home.</param>
/// <param name="Interface">The egress interface.</param>
/// <param name="Source">The egress address (of one family).</param>
public sealed record SnatEntry(string Home, string Interface, IPAddress Source)
{
    /// <summary>The address family.</summary>
    public AddressFamily Family => Source.AddressFamily;
}

/// <summary>How traffic is steered to a home: packets marked <paramref name="Mark"/> use <paramref name="Table"/>.</summary>
/// <param name="Home">The home.</param>
/// <param name="Interface">Its interface.</param>
/// <param name="Mark">The firewall mark; null with a single home.</param>
/// <param name="Table">The routing table.</param>
public sealed record HomeRouting(string Home, string Interface, uint? Mark, int Table);
