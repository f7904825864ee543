using System.Buffers.Binary;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.NfTables;
using RedirectRouter.Netlink.Protocol;
using RedirectRouter.Netlink.Tests.Support;

namespace RedirectRouter.Netlink.Tests.NfTables;

/// <summary>The nf_tables decoders fed random or truncated bytes fail only with <see cref="NetlinkParseException"/>.</summary>
public sealed class NfTablesMalformedInputTests
{
    private static readonly NfMap[] Maps =
    [
        new(NfFamily.Ip, "redirect_router", "dnat_ports", NfMapKind.Ports),
        new(NfFamily.Ip6, "redirect_router", "dnat_ports", NfMapKind.Ports),
        new(NfFamily.Ip, "redirect_router", "dnat_ranges", NfMapKind.Ranges),
        new(NfFamily.Ip, "redirect_router", "home_marks", NfMapKind.Marks),
    ];

    private static readonly (string, DecoderFuzz.Decoder)[] Decoders =
    [
        .. Maps.Select(map => ($"DecodeElements({map.Name}, {map.Kind})", (DecoderFuzz.Decoder)(p => NfTablesCodec.DecodeElements(p, map, [])))),
        ("DecodeChain(any table)", p => NfTablesCodec.DecodeChain(p, null)),
        ("DecodeChain(redirect_router)", p => NfTablesCodec.DecodeChain(p, "redirect_router")),
        ("DecodeRule", p => NfTablesCodec.DecodeRule(p)),
        ("DecodeGeneration", p => NfTablesCodec.DecodeGeneration(p)),
    ];

    private static void DecodeAll(ReadOnlySpan<byte> payload)
    {
        DecoderFuzz.OnlyParseErrors(payload, Decoders);
        // This one must not even throw the parse error.
        _ = NfTablesCodec.ElementAtOffset(payload, payload.Length / 2);
        if (payload.Length >= 20)
        {
            var header = new NlMsgHdr { Length = (uint)payload.Length, Type = NetlinkMessageType.Error, Flags = (ushort)(NetlinkFlags.AckTlvs | NetlinkFlags.Capped) };
            DecoderFuzz.OnlyParseErrors(payload, [("ParseAck", p => NfTablesHandle.ParseAck(header, p))]);
        }
    }

    [Fact]
    public void RandomPayloadsNeverThrowAnythingButParseErrors()
    {
        DecoderFuzz.RandomPayloads(seed: 20261201, bufferSize: 512, minLength: 0, shape: null, DecodeAll);
    }

    [Fact]
    public void RandomAttributesBehindValidHeadersNeverThrowAnythingButParseErrors()
    {
        // Plausible nested attributes (small lengths, the types nf_tables uses) reach deeper than noise.
        DecoderFuzz.RandomPayloads(seed: 11, bufferSize: 384, minLength: 8, static (random, buffer) =>
        {
            buffer[0] = (byte)(random.Next(2) == 0 ? 2 : 10);
            for (var offset = 4; offset + 4 <= buffer.Length; offset += 4 + random.Next(4) * 4)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(buffer[offset..], (ushort)random.Next(4, Math.Min(120, buffer.Length - offset + 8)));
                BinaryPrimitives.WriteUInt16LittleEndian(buffer[(offset + 2)..], (ushort)(random.Next(0, 12) | (random.Next(2) == 0 ? 0x8000 : 0)));
            }
        }, DecodeAll);
    }

    [Fact]
    public void EveryTruncationOfEveryCapturedReplyIsAParseErrorOrDecodes()
    {
        var replies = new[] { "list-set", "list-range-set", "list-chain" }
            .SelectMany(name => NftCapture.Load(name).Received)
            .ToArray();
        Assert.NotEmpty(replies);
        foreach (var reply in replies)
        {
            var payload = reply.AsSpan(16);
            for (var cut = 0; cut <= payload.Length; cut++)
            {
                DecodeAll(payload[..cut]);
            }

            // And every single byte flipped.
            var copy = payload.ToArray();
            for (var i = 0; i < copy.Length; i++)
            {
                copy[i] ^= 0xff;
                DecodeAll(copy);
                copy[i] ^= 0xff;
            }
        }
    }

    [Fact]
    public void AnElementWithTheWrongDataLengthIsAParseErrorThatSaysSo()
    {
        var reply = NftCapture.Load("list-set").ReceivedOfType(0x0a0c)[0];
        var ranges = Maps[2];
        // The same bytes read as a range map of that name: 8 bytes of data where 4 are expected.
        var renamed = new NfMap(ranges.Family, ranges.Table, "dnat_ports", NfMapKind.Ranges);
        var e = Assert.Throws<NetlinkParseException>(() => NfTablesCodec.DecodeElements(reply.AsSpan(16), renamed, []));
        Assert.Contains("element data: 8 bytes", e.Message);
        Assert.Contains("holds 4", e.Message);
        var marks = new NfMap(NfFamily.Ip, "redirect_router", "dnat_ports", NfMapKind.Ports);
        var ip6 = marks with { Family = NfFamily.Ip6 };
        e = Assert.Throws<NetlinkParseException>(() => NfTablesCodec.DecodeElements(reply.AsSpan(16), ip6, []));
        Assert.Contains("holds 20", e.Message);
    }
}
