using System.Net;
using System.Net.Sockets;

namespace RedirectRouter.Core.Model;

/// <summary>An address assigned to an interface, with the prefix length of its subnet (host bits may be set).</summary>
/// <param name="Address">The address.</param>
/// <param name="PrefixLength">The subnet prefix length (32 or 128 for a lone address).</param>
public sealed record InterfaceAddress(IPAddress Address, int PrefixLength)
{
    /// <summary>The address family.</summary>
    public AddressFamily Family => Address.AddressFamily;

    /// <summary>The subnet the address lives in (host bits cleared).</summary>
    public IPNetwork Subnet => AddressText.NetworkOf(Address, PrefixLength);

    /// <summary>"192.0.2.10/24".</summary>
    public override string ToString() => $"{Address}/{PrefixLength}";
}
