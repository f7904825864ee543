using System.Buffers.Binary;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.NfTables;
using RedirectRouter.Netlink.Protocol;

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

    private static void DecodeAll(ReadOnlySpan<byte> payload)
    {
        foreach (var map in Maps)
        {
            Try(payload, p => NfTablesCodec.DecodeElements(p, map, []));
        }

        Try(payload, p => NfTablesCodec.DecodeChain(p, null));
        Try(payload, p => NfTablesCodec.DecodeChain(p, "redirect_router"));
        Try(payload, p => NfTablesCodec.DecodeRule(p));
        Try(payload, p => NfTablesCodec.DecodeGeneration(p));
        // These two must not even throw the parse error.
        _ = NfTablesCodec.ElementAtOffset(payload, payload.Length / 2);
        if (payload.Length >= 20)
        {
            var header = new NlMsgHdr { Length = (uint)payload.Length, Type = NetlinkMessageType.Error, Flags = (ushort)(NetlinkFlags.AckTlvs | NetlinkFlags.Capped) };
            Try(payload, p => NfTablesHandle.ParseAck(header, p));
        }
    }

    private delegate void Decoder(ReadOnlySpan<byte> payload);

    private static void Try(ReadOnlySpan<byte> payload, Decoder decode)
    {
        try
        {
            decode(payload);
        }
        catch (NetlinkParseException)
        {
            // The one acceptable failure.
        }
    }

    [Fact]
    public void RandomPayloadsNeverThrowAnythingButParseErrors()
    {
        var random = new Random(20261201);
        var buffer = new byte[512];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            DecodeAll(buffer.AsSpan(0, length));
        }
    }

    [Fact]
    public void RandomAttributesBehindValidHeadersNeverThrowAnythingButParseErrors()
    {
        // Plausible nested attributes (small lengths, the types nf_tables uses) reach deeper than noise.
        var random = new Random(11);
        var buffer = new byte[384];
        for (var i = 0; i < 20_000; i++)
        {
            var length = 8 + random.Next(buffer.Length - 8);
            random.NextBytes(buffer.AsSpan(0, length));
            buffer[0] = (byte)(random.Next(2) == 0 ? 2 : 10);
            for (var offset = 4; offset + 4 <= length; offset += 4 + random.Next(4) * 4)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(offset), (ushort)random.Next(4, Math.Min(120, length - offset + 8)));
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(offset + 2), (ushort)(random.Next(0, 12) | (random.Next(2) == 0 ? 0x8000 : 0)));
            }

            DecodeAll(buffer.AsSpan(0, length));
        }
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
