using System.Net.NetworkInformation;

namespace RedirectRouter.Netlink.Model;

/// <summary>The text form of link-layer addresses that <c>ip link</c> and <c>ip neigh</c> print.</summary>
public static class HardwareAddress
{
    /// <summary>Formats <paramref name="address"/> as <c>aa:bb:cc:dd:ee:ff</c> (lower-case hex, colon-separated).</summary>
    public static string Format(PhysicalAddress address) => Format(address.GetAddressBytes());

    /// <summary>Formats raw address bytes as <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) => string.Join(':', bytes.ToArray().Select(b => b.ToString("x2")));
}
