using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;

namespace RedirectRouter.Netlink.Packet;

/// <summary>An Ethernet/IPv4 ARP packet (RFC 826), as carried after the link-layer header.</summary>
/// <param name="Operation">1 for a request, 2 for a reply.</param>
/// <param name="SenderMac">The sender hardware address.</param>
/// <param name="SenderIp">The sender protocol address (0.0.0.0 in an RFC 5227 probe).</param>
/// <param name="TargetMac">The target hardware address (zero in requests).</param>
/// <param name="TargetIp">The target protocol address.</param>
public sealed record ArpPacket(ushort Operation, PhysicalAddress SenderMac, IPAddress SenderIp, PhysicalAddress TargetMac, IPAddress TargetIp)
{
    /// <summary>The packet's size on the wire.</summary>
    public const int Size = 28;

    /// <summary>ARP request.</summary>
    public const ushort Request = 1;

    /// <summary>ARP reply.</summary>
    public const ushort Reply = 2;

    private static readonly PhysicalAddress ZeroMac = new(new byte[6]);

    /// <summary>An RFC 5227 probe: "who has <paramref name="candidate"/>?", asked without claiming any address.</summary>
    public static ArpPacket Probe(PhysicalAddress mac, IPAddress candidate) => new(Request, mac, IPAddress.Any, ZeroMac, candidate);

    /// <summary>An RFC 5227 announcement (gratuitous ARP request): sender and target are both <paramref name="address"/>.</summary>
    public static ArpPacket Announcement(PhysicalAddress mac, IPAddress address) => new(Request, mac, address, ZeroMac, address);

    /// <summary>True when this is a probe (sender address 0.0.0.0).</summary>
    public bool IsProbe => Operation == Request && SenderIp.Equals(IPAddress.Any);

    /// <summary>Writes the 28 bytes into <paramref name="buffer"/>.</summary>
    public void Write(Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, 1); // hardware type: Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0x0800); // protocol type: IPv4
        buffer[4] = 6;
        buffer[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[6..], Operation);
        SenderMac.GetAddressBytes().CopyTo(buffer[8..]);
        SenderIp.TryWriteBytes(buffer[14..], out _);
        TargetMac.GetAddressBytes().CopyTo(buffer[18..]);
        TargetIp.TryWriteBytes(buffer[24..], out _);
    }

    /// <summary>Reads an Ethernet/IPv4 ARP packet; false for anything else or a short buffer.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out ArpPacket? packet)
    {
        packet = null;
        if (data.Length < Size
            || BinaryPrimitives.ReadUInt16BigEndian(data) != 1
            || BinaryPrimitives.ReadUInt16BigEndian(data[2..]) != 0x0800
            || data[4] != 6 || data[5] != 4)
        {
            return false;
        }

        packet = new ArpPacket(
            BinaryPrimitives.ReadUInt16BigEndian(data[6..]),
            new PhysicalAddress(data[8..14].ToArray()),
            new IPAddress(data[14..18]),
            new PhysicalAddress(data[18..24].ToArray()),
            new IPAddress(data[24..28]));
        return true;
    }
}
