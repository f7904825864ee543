using System.Net;
using System.Net.Sockets;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Model;

/// <summary>An address on an interface: <c>ip addr add ADDRESS/PREFIX dev DEV</c>.</summary>
public sealed record InterfaceAddress
{
    /// <summary>The interface index.</summary>
    public required int InterfaceIndex { get; init; }

    /// <summary>The local address.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The prefix length.</summary>
    public required int PrefixLength { get; init; }

    /// <summary>Flags; only <see cref="AddressFlags.NoDad"/> and <see cref="AddressFlags.NoPrefixRoute"/> make sense on add.</summary>
    public AddressFlags Flags { get; init; }

    /// <summary>The scope (<c>RT_SCOPE_*</c>); universe by default.</summary>
    public byte Scope { get; init; }

    /// <summary>The IPv4 label (<c>IFA_LABEL</c>).</summary>
    public string? Label { get; init; }

    /// <summary>The address family (<c>AF_INET</c> or <c>AF_INET6</c>).</summary>
    public System.Net.Sockets.AddressFamily Family => Address.AddressFamily;

    /// <summary>The <c>AF_*</c> byte sent to the kernel.</summary>
    internal byte WireFamily => Interop.WireFamily.Of(Family);

    /// <summary>True for IPv6.</summary>
    public bool IsIPv6 => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    /// <inheritdoc/>
    public override string ToString() => $"{Address}/{PrefixLength} dev #{InterfaceIndex}{(Flags == AddressFlags.None ? "" : $" flags {Flags}")}";
}
