using System.Net;
using System.Net.Sockets;

namespace RedirectRouter.Core.Validation;

/// <summary>
/// Addresses a router must not forward to or send from: loopback, unspecified, multicast and broadcast
/// (never), and link-local (only when asked for). One classification for every input format.
/// </summary>
public static class SpecialAddresses
{
    private static readonly IPNetwork Ipv4LinkLocal = IPNetwork.Parse("169.254.0.0/16");
    private static readonly IPNetwork Ipv4Multicast = IPNetwork.Parse("224.0.0.0/4");
    private static readonly IPNetwork Ipv4Loopback = IPNetwork.Parse("127.0.0.0/8");
    private static readonly IPNetwork Ipv4ThisNetwork = IPNetwork.Parse("0.0.0.0/8");

    /// <summary>Why <paramref name="address"/> can never be a destination or source ("loopback", ...), or null when it can.</summary>
    public static string? NeverRoutable(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return NeverRoutable(address.MapToIPv4());
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return address.Equals(IPAddress.Any) || Ipv4ThisNetwork.Contains(address) ? "unspecified"
                : Ipv4Loopback.Contains(address) ? "loopback"
                : Ipv4Multicast.Contains(address) ? "multicast"
                : address.Equals(IPAddress.Broadcast) ? "broadcast"
                : null;
        }
        return address.Equals(IPAddress.IPv6Any) ? "unspecified"
            : address.Equals(IPAddress.IPv6Loopback) ? "loopback"
            : address.IsIPv6Multicast ? "multicast"
            : null;
    }

    /// <summary>Whether <paramref name="address"/> is link-local (169.254.0.0/16 or fe80::/10).</summary>
    public static bool IsLinkLocal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetwork ? Ipv4LinkLocal.Contains(address) : address.IsIPv6LinkLocal;
    }
}
