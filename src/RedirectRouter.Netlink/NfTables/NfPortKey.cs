using System.Globalization;

namespace RedirectRouter.Netlink.NfTables;

/// <summary>
/// A map key <c>l4proto . port</c> or, in interval maps, <c>l4proto . first-last</c>. Compact (6 bytes of state),
/// so ten thousand of them cost little.
/// </summary>
/// <param name="Protocol">The IP protocol number (6 tcp, 17 udp).</param>
/// <param name="First">The first port.</param>
/// <param name="Last">The last port; equal to <paramref name="First"/> for a single port.</param>
public readonly record struct NfPortKey(byte Protocol, ushort First, ushort Last)
{
    /// <summary>IPPROTO_TCP.</summary>
    public const byte Tcp = 6;

    /// <summary>IPPROTO_UDP.</summary>
    public const byte Udp = 17;

    /// <summary>A single-port key.</summary>
    public NfPortKey(byte protocol, ushort port) : this(protocol, port, port)
    {
    }

    /// <summary>True when the key is one port.</summary>
    public bool IsSinglePort => First == Last;

    /// <summary>As nft prints it: <c>tcp . 8080</c>, <c>udp . 9000-9010</c>.</summary>
    public override string ToString()
    {
        var protocol = Protocol switch { Tcp => "tcp", Udp => "udp", _ => Protocol.ToString(CultureInfo.InvariantCulture) };
        return IsSinglePort
            ? string.Create(CultureInfo.InvariantCulture, $"{protocol} . {First}")
            : string.Create(CultureInfo.InvariantCulture, $"{protocol} . {First}-{Last}");
    }
}
