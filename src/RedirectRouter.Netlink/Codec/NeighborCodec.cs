using System.Net;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Codec;

/// <summary>Decodes <c>RTM_NEWNEIGH</c> payloads.</summary>
internal static class NeighborCodec
{
    /// <summary>The body of a neighbour dump request.</summary>
    public static void WriteDump(ref NetlinkMessageWriter writer, byte family) =>
        writer.WriteStruct(new NdMsg { Family = family });

    /// <summary>Decodes an <c>RTM_NEWNEIGH</c> payload; null for entries without an IP address (bridge FDB).</summary>
    public static Neighbor? Decode(ReadOnlySpan<byte> payload)
    {
        var header = NetlinkMessageReader.ReadHeader<NdMsg>(payload, "ndmsg");
        IPAddress? address = null;
        string? lladdr = null;
        var reader = new NetlinkAttributeReader(NetlinkMessageReader.AttributesAfter<NdMsg>(payload));
        while (reader.TryRead(out var type, out var value))
        {
            if (type == NdaAttribute.Destination)
            {
                address = NetlinkAttributeReader.ReadAddress(value, "NDA_DST");
            }
            else if (type == NdaAttribute.LinkLayerAddress)
            {
                lladdr = HardwareAddress.Format(value);
            }
        }

        if (reader.Error is { } error)
        {
            throw new NetlinkParseException($"neighbour: {error}");
        }

        return address is null
            ? null
            : new Neighbor { InterfaceIndex = header.Index, Address = address, LinkLayerAddress = lladdr, State = (NeighborState)header.State };
    }
}
