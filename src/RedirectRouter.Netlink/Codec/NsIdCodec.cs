using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Codec;

/// <summary>The id one namespace gives another, as <c>RTM_NEWNSID</c> reports it.</summary>
/// <param name="Id">The id, or <see cref="NetnsaAttribute.NotAssigned"/>.</param>
internal sealed record NsIdReply(int Id);

/// <summary>Encodes <c>RTM_GETNSID</c> requests and decodes <c>RTM_NEWNSID</c> replies.</summary>
internal static class NsIdCodec
{
    /// <summary>Writes the body of <c>RTM_GETNSID</c> asking about the namespace open as <paramref name="fd"/>.</summary>
    public static void WriteGetByFd(ref NetlinkMessageWriter writer, int fd)
    {
        writer.WriteStruct(new RtGenMsg { Family = AddressFamily.Unspecified });
        writer.WriteAttributeUInt32(NetnsaAttribute.Fd, unchecked((uint)fd));
    }

    /// <summary>Decodes an <c>RTM_NEWNSID</c> payload; a reply without <c>NETNSA_NSID</c> means no id.</summary>
    public static NsIdReply Decode(ReadOnlySpan<byte> payload)
    {
        NetlinkMessageReader.ReadHeader<RtGenMsg>(payload, "rtgenmsg");
        var id = NetnsaAttribute.NotAssigned;
        var reader = new NetlinkAttributeReader(NetlinkMessageReader.AttributesAfter<RtGenMsg>(payload));
        while (reader.TryRead(out var type, out var value))
        {
            if (type == NetnsaAttribute.NsId)
            {
                id = unchecked((int)NetlinkAttributeReader.ReadUInt32(value, "NETNSA_NSID"));
            }
        }

        if (reader.Error is { } error)
        {
            throw new NetlinkParseException($"nsid: {error}");
        }

        return new NsIdReply(id);
    }
}
