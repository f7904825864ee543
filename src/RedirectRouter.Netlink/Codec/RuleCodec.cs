using System.Net;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Codec;

/// <summary>Encodes policy-rule requests and decodes <c>RTM_NEWRULE</c> payloads.</summary>
internal static class RuleCodec
{
    /// <summary>The body of <c>RTM_NEWRULE</c> / <c>RTM_DELRULE</c> for <paramref name="rule"/>.</summary>
    public static void Write(ref NetlinkMessageWriter writer, RoutingRule rule)
    {
        writer.WriteStruct(new FibRuleHdr
        {
            Family = WireFamily.Of(rule.Family),
            DestinationLength = (byte)(rule.Destination?.PrefixLength ?? 0),
            SourceLength = (byte)(rule.Source?.PrefixLength ?? 0),
            Table = rule.Table < 256 ? (byte)rule.Table : (byte)RouteConstants.TableUnspecified,
            Action = rule.Action,
            Flags = rule.Invert ? RouteConstants.RuleFlagInvert : 0,
        });
        if (rule.Priority is { } priority)
        {
            writer.WriteAttributeUInt32(FraAttribute.Priority, priority);
        }

        if (rule.Source is { } source)
        {
            writer.WriteAttributeAddress(FraAttribute.Source, source.BaseAddress);
        }

        if (rule.Destination is { } destination)
        {
            writer.WriteAttributeAddress(FraAttribute.Destination, destination.BaseAddress);
        }

        if (rule.FwMark is { } mark)
        {
            writer.WriteAttributeUInt32(FraAttribute.FwMark, mark);
        }

        if (rule.FwMask is { } mask)
        {
            writer.WriteAttributeUInt32(FraAttribute.FwMask, mask);
        }

        writer.WriteAttributeUInt32(FraAttribute.Table, rule.Table);
        if (rule.InputInterface is { } iif)
        {
            writer.WriteAttributeString(FraAttribute.InputInterfaceName, iif);
        }

        if (rule.OutputInterface is { } oif)
        {
            writer.WriteAttributeString(FraAttribute.OutputInterfaceName, oif);
        }

        // On a delete the kernel then matches only rules of this protocol; kernels before 4.17 ignore it.
        if (rule.Protocol is { } protocol)
        {
            writer.WriteAttributeByte(FraAttribute.Protocol, protocol);
        }
    }

    /// <summary>The body of a rule dump request.</summary>
    public static void WriteDump(ref NetlinkMessageWriter writer, byte family) =>
        writer.WriteStruct(new FibRuleHdr { Family = family });

    /// <summary>Decodes an <c>RTM_NEWRULE</c> payload; null for families other than IPv4 and IPv6.</summary>
    public static RoutingRule? Decode(ReadOnlySpan<byte> payload)
    {
        var header = NetlinkMessageReader.ReadHeader<FibRuleHdr>(payload, "fib_rule_hdr");
        if (header.Family is not (AddressFamily.Inet or AddressFamily.Inet6))
        {
            return null;
        }

        IPAddress? source = null;
        IPAddress? destination = null;
        uint? priority = null;
        uint? mark = null;
        uint? mask = null;
        uint table = header.Table;
        string? iif = null;
        string? oif = null;
        byte? protocol = null;
        var reader = new NetlinkAttributeReader(NetlinkMessageReader.AttributesAfter<FibRuleHdr>(payload));
        while (reader.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case FraAttribute.Source:
                    source = NetlinkAttributeReader.ReadAddress(value, "FRA_SRC");
                    break;
                case FraAttribute.Destination:
                    destination = NetlinkAttributeReader.ReadAddress(value, "FRA_DST");
                    break;
                case FraAttribute.Priority:
                    priority = NetlinkAttributeReader.ReadUInt32(value, "FRA_PRIORITY");
                    break;
                case FraAttribute.FwMark:
                    mark = NetlinkAttributeReader.ReadUInt32(value, "FRA_FWMARK");
                    break;
                case FraAttribute.FwMask:
                    mask = NetlinkAttributeReader.ReadUInt32(value, "FRA_FWMASK");
                    break;
                case FraAttribute.Table:
                    table = NetlinkAttributeReader.ReadUInt32(value, "FRA_TABLE");
                    break;
                case FraAttribute.InputInterfaceName:
                    iif = NetlinkAttributeReader.ReadString(value);
                    break;
                case FraAttribute.OutputInterfaceName:
                    oif = NetlinkAttributeReader.ReadString(value);
                    break;
                case FraAttribute.Protocol:
                    protocol = NetlinkAttributeReader.ReadByte(value, "FRA_PROTOCOL");
                    break;
            }
        }

        if (reader.Error is { } error)
        {
            throw new NetlinkParseException($"rule: {error}");
        }

        return new RoutingRule
        {
            Family = WireFamily.From(header.Family),
            Priority = priority,
            Source = source is null ? null : Prefix.Create(source, header.SourceLength),
            Destination = destination is null ? null : Prefix.Create(destination, header.DestinationLength),
            FwMark = mark,
            FwMask = mask,
            Table = table,
            InputInterface = iif,
            OutputInterface = oif,
            Protocol = protocol,
            Invert = (header.Flags & RouteConstants.RuleFlagInvert) != 0,
            Action = header.Action,
        };
    }
}
