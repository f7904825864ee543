using Sockets = System.Net.Sockets;

namespace RedirectRouter.Netlink.Interop;

/// <summary>Maps the public <see cref="Sockets.AddressFamily"/> to the <c>AF_*</c> byte of rtnetlink headers and back.</summary>
internal static class WireFamily
{
    /// <summary>The header byte for <paramref name="family"/>; only unspecified, IPv4 and IPv6 are rtnetlink families here.</summary>
    public static byte Of(Sockets.AddressFamily family) => family switch
    {
        Sockets.AddressFamily.Unspecified => AddressFamily.Unspecified,
        Sockets.AddressFamily.InterNetwork => AddressFamily.Inet,
        Sockets.AddressFamily.InterNetworkV6 => AddressFamily.Inet6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "only Unspecified, InterNetwork and InterNetworkV6 are routing families"),
    };

    /// <summary>The family of an IPv4 or IPv6 header byte (callers checked it is one of the two).</summary>
    public static Sockets.AddressFamily From(byte family) =>
        family == AddressFamily.Inet6 ? Sockets.AddressFamily.InterNetworkV6 : Sockets.AddressFamily.InterNetwork;
}
