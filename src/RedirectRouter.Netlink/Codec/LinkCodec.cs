using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Codec;

/// <summary>Encodes link requests and decodes <c>RTM_NEWLINK</c> payloads.</summary>
internal static class LinkCodec
{
    /// <summary>The body of an <c>RTM_NEWLINK</c> create request for <paramref name="spec"/>.</summary>
    public static void WriteAdd(ref NetlinkMessageWriter writer, LinkSpec spec)
    {
        writer.WriteStruct(new IfInfoMsg { Family = AddressFamily.Unspecified });
        writer.WriteAttributeString(IflaAttribute.IfName, spec.Name);
        if (spec.Mtu is { } mtu)
        {
            writer.WriteAttributeUInt32(IflaAttribute.Mtu, (uint)mtu);
        }

        if (spec is MacvlanLinkSpec macvlan)
        {
            writer.WriteAttributeInt32(IflaAttribute.Link, macvlan.ParentIndex);
        }

        if (spec.TargetNamespace is { } target)
        {
            writer.WriteAttributeUInt32(IflaAttribute.NetNsFd, (uint)target.Fd);
        }

        var linkInfo = writer.BeginNested(IflaAttribute.LinkInfo);
        writer.WriteAttributeString(IflaAttribute.InfoKind, spec.Kind);
        switch (spec)
        {
            case MacvlanLinkSpec m:
            {
                var data = writer.BeginNested(IflaAttribute.InfoData);
                writer.WriteAttributeUInt32(IflaAttribute.MacvlanMode, (uint)m.Mode);
                writer.EndNested(data);
                break;
            }

            case VethLinkSpec v:
            {
                var data = writer.BeginNested(IflaAttribute.InfoData);
                var peer = writer.BeginNested(IflaAttribute.VethInfoPeer);
                writer.WriteStruct(new IfInfoMsg { Family = AddressFamily.Unspecified });
                writer.WriteAttributeString(IflaAttribute.IfName, v.PeerName);
                if (v.Mtu is { } peerMtu)
                {
                    writer.WriteAttributeUInt32(IflaAttribute.Mtu, (uint)peerMtu);
                }

                if (v.PeerNamespace is { } peerNamespace)
                {
                    writer.WriteAttributeUInt32(IflaAttribute.NetNsFd, (uint)peerNamespace.Fd);
                }

                writer.EndNested(peer);
                writer.EndNested(data);
                break;
            }
        }

        writer.EndNested(linkInfo);
    }

    /// <summary>The body of an <c>RTM_NEWLINK</c> change request: flags, MTU, name, master or namespace.</summary>
    public static void WriteChange(ref NetlinkMessageWriter writer, in LinkChange change)
    {
        writer.WriteStruct(new IfInfoMsg
        {
            Family = AddressFamily.Unspecified,
            Index = change.Index,
            Flags = (uint)change.Flags,
            Change = (uint)change.FlagsMask,
        });
        if (change.Mtu is { } mtu)
        {
            writer.WriteAttributeUInt32(IflaAttribute.Mtu, (uint)mtu);
        }

        if (change.Name is { } name)
        {
            writer.WriteAttributeString(IflaAttribute.IfName, name);
        }

        if (change.Alias is { } alias)
        {
            writer.WriteAttributeString(IflaAttribute.IfAlias, alias);
        }

        if (change.MasterIndex is { } master)
        {
            writer.WriteAttributeInt32(IflaAttribute.Master, master);
        }

        if (change.Namespace is { } ns)
        {
            writer.WriteAttributeUInt32(IflaAttribute.NetNsFd, (uint)ns.Fd);
        }
    }

    /// <summary>The body of a link request naming one link by index or name (get, delete).</summary>
    public static void WriteSelector(ref NetlinkMessageWriter writer, int index, string? name)
    {
        writer.WriteStruct(new IfInfoMsg { Family = AddressFamily.Unspecified, Index = index });
        if (name is not null)
        {
            writer.WriteAttributeString(IflaAttribute.IfName, name);
        }
    }

    /// <summary>Decodes an <c>RTM_NEWLINK</c> payload.</summary>
    public static Link Decode(ReadOnlySpan<byte> payload)
    {
        var header = NetlinkMessageReader.ReadHeader<IfInfoMsg>(payload, "ifinfomsg");
        string? name = null;
        string? alias = null;
        string? kind = null;
        PhysicalAddress? mac = null;
        int mtu = 0;
        int? parent = null;
        int? master = null;
        bool parentElsewhere = false;
        int? parentNetNsId = null;
        MacvlanMode? macvlanMode = null;
        var operState = OperationalState.Unknown;
        bool? carrier = null;
        LinkStatistics? stats = null;

        var reader = new NetlinkAttributeReader(NetlinkMessageReader.AttributesAfter<IfInfoMsg>(payload));
        while (reader.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IflaAttribute.IfName:
                    name = NetlinkAttributeReader.ReadString(value);
                    break;
                case IflaAttribute.IfAlias:
                    alias = NetlinkAttributeReader.ReadString(value);
                    break;
                case IflaAttribute.Mtu:
                    mtu = (int)NetlinkAttributeReader.ReadUInt32(value, "IFLA_MTU");
                    break;
                case IflaAttribute.Address:
                    mac = new PhysicalAddress(value.ToArray());
                    break;
                case IflaAttribute.Link:
                    parent = (int)NetlinkAttributeReader.ReadUInt32(value, "IFLA_LINK");
                    break;
                case IflaAttribute.Master:
                    master = (int)NetlinkAttributeReader.ReadUInt32(value, "IFLA_MASTER");
                    break;
                case IflaAttribute.LinkNetNsId:
                    parentElsewhere = true;
                    parentNetNsId = unchecked((int)NetlinkAttributeReader.ReadUInt32(value, "IFLA_LINK_NETNSID"));
                    break;
                case IflaAttribute.OperState:
                    operState = (OperationalState)NetlinkAttributeReader.ReadByte(value, "IFLA_OPERSTATE");
                    break;
                case IflaAttribute.Carrier:
                    carrier = NetlinkAttributeReader.ReadByte(value, "IFLA_CARRIER") != 0;
                    break;
                case IflaAttribute.Stats64:
                    stats = DecodeStats(value);
                    break;
                case IflaAttribute.LinkInfo:
                    DecodeLinkInfo(value, out kind, out macvlanMode);
                    break;
            }
        }

        if (reader.Error is { } error)
        {
            throw new NetlinkParseException($"link {header.Index}: {error}");
        }

        return new Link
        {
            Index = header.Index,
            Name = name ?? throw new NetlinkParseException($"link {header.Index}: no IFLA_IFNAME"),
            Alias = alias,
            Kind = kind,
            Flags = (InterfaceFlags)header.Flags,
            Mtu = mtu,
            MacAddress = mac,
            ParentIndex = parent is 0 ? null : parent,
            ParentInOtherNamespace = parentElsewhere,
            ParentNetNsId = parentNetNsId,
            MasterIndex = master,
            MacvlanMode = macvlanMode,
            OperationalState = operState,
            Carrier = carrier,
            Statistics = stats,
        };
    }

    private static void DecodeLinkInfo(ReadOnlySpan<byte> value, out string? kind, out MacvlanMode? macvlanMode)
    {
        kind = null;
        macvlanMode = null;
        var info = new NetlinkAttributeReader(value);
        ReadOnlySpan<byte> data = default;
        while (info.TryRead(out var type, out var payload))
        {
            if (type == IflaAttribute.InfoKind)
            {
                kind = NetlinkAttributeReader.ReadString(payload);
            }
            else if (type == IflaAttribute.InfoData)
            {
                data = payload;
            }
        }

        if (info.Error is { } error)
        {
            throw new NetlinkParseException($"IFLA_LINKINFO: {error}");
        }

        if (kind == "macvlan" && !data.IsEmpty)
        {
            var reader = new NetlinkAttributeReader(data);
            while (reader.TryRead(out var type, out var payload))
            {
                if (type == IflaAttribute.MacvlanMode)
                {
                    macvlanMode = (MacvlanMode)NetlinkAttributeReader.ReadUInt32(payload, "IFLA_MACVLAN_MODE");
                }
            }

            if (reader.Error is { } dataError)
            {
                throw new NetlinkParseException($"IFLA_INFO_DATA: {dataError}");
            }
        }
    }

    private static LinkStatistics DecodeStats(ReadOnlySpan<byte> value)
    {
        // struct rtnl_link_stats64 begins with rx/tx packets, rx/tx bytes, rx/tx errors, rx/tx dropped.
        if (value.Length < 8 * 8)
        {
            throw new NetlinkParseException($"IFLA_STATS64: expected at least 64 bytes, got {value.Length}");
        }

        var counters = MemoryMarshal.Cast<byte, ulong>(value[..64]);
        return new LinkStatistics(
            RxPackets: counters[0], TxPackets: counters[1], RxBytes: counters[2], TxBytes: counters[3],
            RxErrors: counters[4], TxErrors: counters[5], RxDropped: counters[6], TxDropped: counters[7]);
    }

    /// <summary>Formats a hardware address as lower-case colon-separated hex.</summary>
}
