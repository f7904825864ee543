using System.Buffers.Binary;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Protocol;

/// <summary>The kernel's answer to a request (<c>NLMSG_ERROR</c>, errno 0 for an ack), for rtnetlink and nf_tables alike.</summary>
internal static class NetlinkAck
{
    /// <summary>Reads an <c>NLMSG_ERROR</c>: the errno (positive), and with extended acks the kernel's text and the offset of the refused attribute in the request.</summary>
    public static (int Errno, string? Text, int? Offset) Parse(in NlMsgHdr header, ReadOnlySpan<byte> payload)
    {
        var error = NetlinkMessageReader.ReadHeader<NlMsgErr>(payload, "nlmsgerr");
        var errno = -error.Error;
        string? text = null;
        int? offset = null;
        if ((header.Flags & (ushort)NetlinkFlags.AckTlvs) != 0)
        {
            // The TLVs follow the echoed request: only its header when capped, the whole request otherwise.
            var echoed = (header.Flags & (ushort)NetlinkFlags.Capped) != 0
                ? NlMsgHdr.Size
                : Math.Max((int)error.Request.Length, NlMsgHdr.Size);
            var start = NetlinkAlignment.Align(sizeof(int) + echoed);
            if (start < payload.Length)
            {
                var reader = new NetlinkAttributeReader(payload[start..]);
                while (reader.TryRead(out var type, out var value))
                {
                    if (type == NetlinkErrorAttribute.Message)
                    {
                        text = NetlinkAttributeReader.ReadString(value);
                    }
                    else if (type == NetlinkErrorAttribute.Offset && value.Length >= 4)
                    {
                        offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(value);
                    }
                }
            }
        }

        return (errno, text, offset);
    }
}
