using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Codec;

/// <summary>Encodes address requests and decodes <c>RTM_NEWADDR</c> payloads.</summary>
internal static class AddressCodec
{
    /// <summary>The body of <c>RTM_NEWADDR</c> / <c>RTM_DELADDR</c> for <paramref name="address"/>.</summary>
    public static void Write(ref NetlinkMessageWriter writer, InterfaceAddress address)
    {
        writer.WriteStruct(new IfAddrMsg
        {
            Family = address.WireFamily,
            PrefixLength = (byte)address.PrefixLength,
            Flags = (byte)((uint)address.Flags & 0xff),
            Scope = address.Scope,
            Index = address.InterfaceIndex,
        });
        writer.WriteAttributeAddress(IfaAttribute.Local, address.Address);
        writer.WriteAttributeAddress(IfaAttribute.Address, address.Address);
        if (address.Flags != AddressFlags.None)
        {
            writer.WriteAttributeUInt32(IfaAttribute.Flags, (uint)address.Flags);
        }

        if (address.Label is { } label)
        {
            writer.WriteAttributeString(IfaAttribute.Label, label);
        }
    }

    /// <summary>
    /// The body of an address dump request. A non-zero <paramref name="interfaceIndex"/> asks for one link's addresses;
    /// the kernel honours it only on a socket with <c>NETLINK_GET_STRICT_CHK</c> (4.20+) and ignores it otherwise.
    /// </summary>
    public static void WriteDump(ref NetlinkMessageWriter writer, byte family, int interfaceIndex = 0) =>
        writer.WriteStruct(new IfAddrMsg { Family = family, Index = interfaceIndex });

    /// <summary>Decodes an <c>RTM_NEWADDR</c> payload.</summary>
    public static InterfaceAddress Decode(ReadOnlySpan<byte> payload)
    {
        var header = NetlinkMessageReader.ReadHeader<IfAddrMsg>(payload, "ifaddrmsg");
        System.Net.IPAddress? local = null;
        System.Net.IPAddress? address = null;
        var flags = (AddressFlags)header.Flags;
        string? label = null;
        var reader = new NetlinkAttributeReader(NetlinkMessageReader.AttributesAfter<IfAddrMsg>(payload));
        while (reader.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IfaAttribute.Local:
                    local = NetlinkAttributeReader.ReadAddress(value, "IFA_LOCAL");
                    break;
                case IfaAttribute.Address:
                    address = NetlinkAttributeReader.ReadAddress(value, "IFA_ADDRESS");
                    break;
                case IfaAttribute.Flags:
                    flags = (AddressFlags)NetlinkAttributeReader.ReadUInt32(value, "IFA_FLAGS");
                    break;
                case IfaAttribute.Label:
                    label = NetlinkAttributeReader.ReadString(value);
                    break;
            }
        }

        if (reader.Error is { } error)
        {
            throw new NetlinkParseException($"address on link {header.Index}: {error}");
        }

        var ip = local ?? address ?? throw new NetlinkParseException($"address on link {header.Index}: no IFA_LOCAL or IFA_ADDRESS");
        var maxPrefix = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        if (header.PrefixLength > maxPrefix)
        {
            throw new NetlinkParseException($"address {ip}: prefix length {header.PrefixLength} is out of range");
        }

        return new InterfaceAddress
        {
            InterfaceIndex = header.Index,
            Address = ip,
            PrefixLength = header.PrefixLength,
            Flags = flags,
            Scope = header.Scope,
            Label = label,
        };
    }
}
