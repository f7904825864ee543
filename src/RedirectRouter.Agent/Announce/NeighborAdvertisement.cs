using System.Net;
using System.Net.NetworkInformation;

namespace RedirectRouter.Agent.Announce;

/// <summary>
/// An unsolicited ICMPv6 neighbour advertisement (RFC 4861 §7.2.6): the IPv6 counterpart of a
/// gratuitous ARP. Only the ICMPv6 part; the kernel adds the IPv6 header and the checksum.
/// </summary>
public static class NeighborAdvertisement
{
    /// <summary>The message's size: header, target address, and the target link-layer address option.</summary>
    public const int Size = 32;

    /// <summary>Writes an unsolicited advertisement with the Override flag for <paramref name="target"/> at <paramref name="mac"/>.</summary>
    public static void Write(Span<byte> buffer, IPAddress target, PhysicalAddress mac)
    {
        buffer[..Size].Clear();
        buffer[0] = 136; // type: neighbour advertisement
        buffer[4] = 0x20; // flags: Override (not Router, not Solicited)
        target.TryWriteBytes(buffer[8..24], out _);
        buffer[24] = 2; // option: target link-layer address
        buffer[25] = 1; // length in units of 8 bytes
        mac.GetAddressBytes().CopyTo(buffer[26..32]);
    }
}
