using System.Net;
using System.Net.NetworkInformation;
using RedirectRouter.Agent.Announce;
using RedirectRouter.Netlink.Packet;

namespace RedirectRouter.Agent.Tests.Announce;

public sealed class PacketFormatTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("02-00-0a-0b-0c-0d");

    [Fact]
    public void ArpProbeAsksFromTheUnspecifiedAddress()
    {
        var bytes = new byte[ArpPacket.Size];
        ArpPacket.Probe(Mac, IPAddress.Parse("192.168.12.99")).Write(bytes);
        // htype 1, ptype 0x0800, hlen 6, plen 4, op request; sha, spa 0.0.0.0, tha zero, tpa the candidate.
        Assert.Equal("0001080006040001" + "02000a0b0c0d" + "00000000" + "000000000000" + "c0a80c63", Convert.ToHexString(bytes).ToLowerInvariant());
    }

    [Fact]
    public void ArpAnnouncementNamesTheAddressAsSenderAndTarget()
    {
        var bytes = new byte[ArpPacket.Size];
        ArpPacket.Announcement(Mac, IPAddress.Parse("192.168.12.99")).Write(bytes);
        Assert.Equal("0001080006040001" + "02000a0b0c0d" + "c0a80c63" + "000000000000" + "c0a80c63", Convert.ToHexString(bytes).ToLowerInvariant());
        Assert.True(ArpPacket.TryParse(bytes, out var parsed));
        Assert.Equal(IPAddress.Parse("192.168.12.99"), parsed!.SenderIp);
        Assert.False(parsed.IsProbe);
    }

    [Fact]
    public void ArpParserRejectsOtherProtocolsAndShortPackets()
    {
        var bytes = new byte[ArpPacket.Size];
        ArpPacket.Probe(Mac, IPAddress.Parse("10.0.0.1")).Write(bytes);
        Assert.False(ArpPacket.TryParse(bytes.AsSpan(0, 27), out _));
        bytes[3] = 0xdd; // ptype 0x08dd
        Assert.False(ArpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void NeighborAdvertisementCarriesOverrideTargetAndLinkLayerAddress()
    {
        var bytes = new byte[NeighborAdvertisement.Size];
        NeighborAdvertisement.Write(bytes, IPAddress.Parse("fd00:12::99"), Mac);
        Assert.Equal(
            "88000000" + "20000000" + "fd000012000000000000000000000099" + "0201" + "02000a0b0c0d",
            Convert.ToHexString(bytes).ToLowerInvariant());
    }
}
