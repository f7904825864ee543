using System.Net;

namespace RedirectRouter.Netlink.Codec;

/// <summary>Builds <see cref="IPNetwork"/> values from kernel data, clearing host bits the kernel may leave set.</summary>
internal static class Prefix
{
    /// <summary>The network of <paramref name="address"/>/<paramref name="length"/> with host bits cleared.</summary>
    public static IPNetwork Create(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        var bits = bytes.Length * 8;
        if (length < 0 || length > bits)
        {
            throw new Protocol.NetlinkParseException($"prefix length {length} is out of range for {address}");
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - keep));
        }

        return new IPNetwork(new IPAddress(bytes), length);
    }

    /// <summary>The unspecified address of a family (<c>0.0.0.0</c> or <c>::</c>).</summary>
    public static IPAddress Any(byte family) => family == Interop.AddressFamily.Inet6 ? IPAddress.IPv6Any : IPAddress.Any;
}
