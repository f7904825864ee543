using System.Net;
using System.Runtime.InteropServices;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Codec;

/// <summary>Encodes route requests and decodes <c>RTM_NEWROUTE</c> payloads.</summary>
internal static class RouteCodec
{
    /// <summary>The body of <c>RTM_NEWROUTE</c> for <paramref name="route"/>.</summary>
    public static void WriteNew(ref NetlinkMessageWriter writer, Route route) => Write(ref writer, route, delete: false);

    /// <summary>
    /// The body of <c>RTM_DELROUTE</c>. As <c>ip route del</c> does, protocol, type and scope are left
    /// as wildcards unless the route sets a scope, so the kernel matches by prefix, table, metric and next hop.
    /// </summary>
    public static void WriteDelete(ref NetlinkMessageWriter writer, Route route) => Write(ref writer, route, delete: true);

    /// <summary>The body of a route dump request.</summary>
    public static void WriteDump(ref NetlinkMessageWriter writer, byte family) =>
        writer.WriteStruct(new RtMsg { Family = family });

    private static void Write(ref NetlinkMessageWriter writer, Route route, bool delete)
    {
        writer.WriteStruct(new RtMsg
        {
            Family = route.WireFamily,
            DestinationLength = (byte)route.Destination.PrefixLength,
            Table = route.Table < 256 ? (byte)route.Table : (byte)RouteConstants.TableUnspecified,
            Protocol = delete ? (byte)0 : route.Protocol,
            Scope = delete ? route.Scope ?? RouteConstants.ScopeNowhere : route.EffectiveScope,
            Type = delete ? (byte)0 : route.Type,
            Flags = route.OnLink ? RouteConstants.NextHopFlagOnLink : 0,
        });
        writer.WriteAttributeUInt32(RtaAttribute.Table, route.Table);
        if (route.Destination.PrefixLength > 0)
        {
            writer.WriteAttributeAddress(RtaAttribute.Destination, route.Destination.BaseAddress);
        }

        if (route.Metric is { } metric)
        {
            writer.WriteAttributeUInt32(RtaAttribute.Priority, metric);
        }

        if (route.PreferredSource is { } source)
        {
            writer.WriteAttributeAddress(RtaAttribute.PreferredSource, source);
        }

        if (route.Gateway is { } gateway)
        {
            writer.WriteAttributeAddress(RtaAttribute.Gateway, gateway);
        }

        if (route.OutputInterface is { } oif)
        {
            writer.WriteAttributeInt32(RtaAttribute.OutputInterface, oif);
        }

        if (route.NextHops.Count > 0)
        {
            var multipath = writer.BeginNested(RtaAttribute.Multipath);
            foreach (var hop in route.NextHops)
            {
                if (hop.Weight is < 1 or > 256)
                {
                    throw new ArgumentOutOfRangeException(nameof(route), $"next hop weight {hop.Weight} is outside 1..256");
                }

                var entry = writer.BeginNextHop(
                    flags: hop.OnLink ? (byte)RouteConstants.NextHopFlagOnLink : (byte)0,
                    hops: (byte)(hop.Weight - 1),
                    interfaceIndex: hop.InterfaceIndex);
                if (hop.Gateway is { } hopGateway)
                {
                    writer.WriteAttributeAddress(RtaAttribute.Gateway, hopGateway);
                }

                writer.EndNextHop(entry);
            }

            writer.EndNested(multipath);
        }
    }

    /// <summary>Decodes an <c>RTM_NEWROUTE</c> payload; null for families other than IPv4 and IPv6.</summary>
    public static Route? Decode(ReadOnlySpan<byte> payload)
    {
        var header = NetlinkMessageReader.ReadHeader<RtMsg>(payload, "rtmsg");
        if (header.Family is not (AddressFamily.Inet or AddressFamily.Inet6))
        {
            return null;
        }

        IPAddress? destination = null;
        IPAddress? gateway = null;
        IPAddress? preferredSource = null;
        int? oif = null;
        uint? metric = null;
        uint table = header.Table;
        List<NextHop>? hops = null;
        var reader = new NetlinkAttributeReader(NetlinkMessageReader.AttributesAfter<RtMsg>(payload));
        while (reader.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case RtaAttribute.Destination:
                    destination = NetlinkAttributeReader.ReadAddress(value, "RTA_DST");
                    break;
                case RtaAttribute.Gateway:
                    gateway = NetlinkAttributeReader.ReadAddress(value, "RTA_GATEWAY");
                    break;
                case RtaAttribute.PreferredSource:
                    preferredSource = NetlinkAttributeReader.ReadAddress(value, "RTA_PREFSRC");
                    break;
                case RtaAttribute.OutputInterface:
                    oif = (int)NetlinkAttributeReader.ReadUInt32(value, "RTA_OIF");
                    break;
                case RtaAttribute.Priority:
                    metric = NetlinkAttributeReader.ReadUInt32(value, "RTA_PRIORITY");
                    break;
                case RtaAttribute.Table:
                    table = NetlinkAttributeReader.ReadUInt32(value, "RTA_TABLE");
                    break;
                case RtaAttribute.Multipath:
                    hops = DecodeMultipath(value);
                    break;
            }
        }

        if (reader.Error is { } error)
        {
            throw new NetlinkParseException($"route: {error}");
        }

        var maxPrefix = header.Family == AddressFamily.Inet6 ? 128 : 32;
        if (header.DestinationLength > maxPrefix)
        {
            throw new NetlinkParseException($"route: destination length {header.DestinationLength} is out of range");
        }

        return new Route
        {
            Destination = Prefix.Create(destination ?? Prefix.Any(header.Family), header.DestinationLength),
            Table = table,
            Protocol = header.Protocol,
            Scope = header.Scope,
            Type = header.Type,
            Metric = metric,
            Gateway = gateway,
            OutputInterface = oif,
            PreferredSource = preferredSource,
            OnLink = (header.Flags & RouteConstants.NextHopFlagOnLink) != 0,
            NextHops = (IReadOnlyList<NextHop>?)hops ?? [],
        };
    }

    private static List<NextHop> DecodeMultipath(ReadOnlySpan<byte> value)
    {
        var hops = new List<NextHop>();
        while (value.Length >= Marshal.SizeOf<RtNextHop>())
        {
            var hop = MemoryMarshal.Read<RtNextHop>(value);
            if (hop.Length < 8 || hop.Length > value.Length)
            {
                throw new NetlinkParseException($"RTA_MULTIPATH: next hop length {hop.Length} does not fit {value.Length} bytes");
            }

            IPAddress? gateway = null;
            var reader = new NetlinkAttributeReader(value[8..hop.Length]);
            while (reader.TryRead(out var type, out var payload))
            {
                if (type == RtaAttribute.Gateway)
                {
                    gateway = NetlinkAttributeReader.ReadAddress(payload, "RTA_GATEWAY");
                }
            }

            if (reader.Error is { } error)
            {
                throw new NetlinkParseException($"RTA_MULTIPATH: {error}");
            }

            hops.Add(new NextHop(gateway, hop.Index, hop.Hops + 1, (hop.Flags & RouteConstants.NextHopFlagOnLink) != 0));
            value = value[Math.Min(NetlinkAlignment.Align(hop.Length), value.Length)..];
        }

        return hops;
    }
}
