using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RedirectRouter.Core.Model;

/// <summary>
/// Strict address parsing. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> accepts forms such as
/// "1", "0x7f.1" or "127.1" that no operator means; here IPv4 is exactly four decimal octets 0..255
/// without leading zeros, and IPv6 is the usual colon form without a zone.
/// </summary>
public static class AddressText
{
    /// <summary>Parses an IPv4 or IPv6 address strictly.</summary>
    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        return text.Contains(':') ? TryParseIPv6(text, out address) : TryParseIPv4(text, out address);
    }

    /// <summary>Parses a dotted quad: four decimal octets 0..255, no leading zeros, nothing else.</summary>
    public static bool TryParseIPv4(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (!TryParseDecimal(parts[i], 255, out var octet))
            {
                return false;
            }
            bytes[i] = (byte)octet;
        }
        address = new IPAddress(bytes);
        return true;
    }

    private static bool TryParseIPv6(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        foreach (var c in text)
        {
            // No zones ("%eth0"), brackets or prefixes: only hex digits, colons and an embedded dotted quad.
            if (!(char.IsAsciiHexDigit(c) || c == ':' || c == '.'))
            {
                return false;
            }
        }
        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }
        var lastColon = text.LastIndexOf(':');
        var tail = text[(lastColon + 1)..];
        if (tail.Contains('.') && !TryParseIPv4(tail, out _))
        {
            return false;
        }
        address = parsed;
        return true;
    }

    /// <summary>Parses a non-negative decimal number without sign, spaces or leading zeros, up to <paramref name="max"/>.</summary>
    public static bool TryParseDecimal(string text, int max, out int value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 10 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var wide) || wide > max)
        {
            return false;
        }
        value = (int)wide;
        return true;
    }

    /// <summary>The largest prefix length of a family: 32 or 128.</summary>
    public static int MaxPrefix(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 128 : 32;

    /// <summary>Parses "ADDRESS/PREFIX" (host bits allowed, as on an interface) or, if <paramref name="prefixOptional"/>, a bare address (full-length prefix).</summary>
    public static bool TryParseInterfaceAddress(string text, bool prefixOptional, [NotNullWhen(true)] out InterfaceAddress? result)
    {
        result = null;
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            if (prefixOptional && TryParseAddress(text, out var bare))
            {
                result = new InterfaceAddress(bare, MaxPrefix(bare.AddressFamily));
                return true;
            }
            return false;
        }
        if (!TryParseAddress(text[..slash], out var address)
            || !TryParseDecimal(text[(slash + 1)..], MaxPrefix(address.AddressFamily), out var prefix))
        {
            return false;
        }
        result = new InterfaceAddress(address, prefix);
        return true;
    }

    /// <summary>Parses a network "PREFIX/LEN" whose host bits are clear (or a bare address = host route); "default" = 0.0.0.0/0.</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network, out bool hostBitsSet)
    {
        network = default;
        hostBitsSet = false;
        if (text == "default")
        {
            network = new IPNetwork(IPAddress.Any, 0);
            return true;
        }
        if (!TryParseInterfaceAddress(text, prefixOptional: true, out var parsed))
        {
            return false;
        }
        network = NetworkOf(parsed.Address, parsed.PrefixLength);
        hostBitsSet = !network.BaseAddress.Equals(parsed.Address);
        return true;
    }

    /// <summary>The network holding <paramref name="address"/> with the given prefix length (host bits cleared).</summary>
    public static IPNetwork NetworkOf(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsInByte = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsInByte));
        }
        return new IPNetwork(new IPAddress(bytes), prefixLength);
    }

    /// <summary>The host route (/32 or /128) for an address.</summary>
    public static IPNetwork HostNetwork(IPAddress address) => new(address, MaxPrefix(address.AddressFamily));

    /// <summary>The default route of a family (0.0.0.0/0 or ::/0).</summary>
    public static IPNetwork DefaultNetwork(AddressFamily family) =>
        new(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);

    /// <summary>Orders addresses: IPv4 before IPv6, then by bytes (a stable, readable order for plans).</summary>
    public static int Compare(IPAddress? x, IPAddress? y)
    {
        if (x is null || y is null)
        {
            return (x is null).CompareTo(y is null);
        }
        var family = x.AddressFamily.CompareTo(y.AddressFamily);
        return family != 0 ? family : x.GetAddressBytes().AsSpan().SequenceCompareTo(y.GetAddressBytes());
    }

    /// <summary>Orders networks by address, then prefix length.</summary>
    public static int Compare(IPNetwork x, IPNetwork y)
    {
        var byAddress = Compare(x.BaseAddress, y.BaseAddress);
        return byAddress != 0 ? byAddress : x.PrefixLength.CompareTo(y.PrefixLength);
    }
}
