using System.Net;
using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.Netlink.Protocol;
using RedirectRouter.Netlink.Tests.Support;

namespace RedirectRouter.Netlink.Tests.Codec;

/// <summary>Decoders fed random or truncated bytes fail only with <see cref="NetlinkParseException"/>.</summary>
public sealed class MalformedInputTests
{
    private static readonly (string, DecoderFuzz.Decoder)[] Decoders =
    [
        ("LinkCodec", p => LinkCodec.Decode(p)),
        ("AddressCodec", p => AddressCodec.Decode(p)),
        ("RouteCodec", p => RouteCodec.Decode(p)),
        ("RuleCodec", p => RuleCodec.Decode(p)),
        ("NeighborCodec", p => NeighborCodec.Decode(p)),
        ("NetlinkMonitor", p => NetlinkMonitor.Decode(RtmType.NewLink, p)),
    ];

    private static void DecodeAll(ReadOnlySpan<byte> payload) => DecoderFuzz.OnlyParseErrors(payload, Decoders);

    [Fact]
    public void RandomPayloadsNeverThrowAnythingButParseErrors()
    {
        DecoderFuzz.RandomPayloads(seed: 20261128, bufferSize: 512, minLength: 0, shape: null, DecodeAll);
    }

    [Fact]
    public void RandomAttributesBehindValidHeadersNeverThrowAnythingButParseErrors()
    {
        // Plausible attribute headers (small lengths, known types) reach deeper into the decoders than noise.
        DecoderFuzz.RandomPayloads(seed: 7, bufferSize: 256, minLength: 16, static (random, buffer) =>
        {
            buffer[0] = (byte)(random.Next(2) == 0 ? AddressFamily.Inet : AddressFamily.Inet6);
            for (var offset = 16; offset + 4 <= buffer.Length; offset += 4 + random.Next(3) * 4)
            {
                buffer[offset] = (byte)random.Next(0, 24);
                buffer[offset + 1] = 0;
                buffer[offset + 2] = (byte)random.Next(0, 40);
                buffer[offset + 3] = (byte)(random.Next(4) == 0 ? 0x80 : 0);
            }
        }, DecodeAll);
    }

    [Fact]
    public void EveryTruncationOfAValidMessageIsAParseErrorOrDecodes()
    {
        var route = new Route
        {
            Destination = IPNetwork.Parse("10.20.0.0/24"),
            Table = 300,
            NextHops = [new NextHop(IPAddress.Parse("192.168.1.1"), 3, 2), new NextHop(IPAddress.Parse("192.168.2.1"), 4, 1)],
        };
        var buffer = new byte[1024];
        var writer = new NetlinkMessageWriter(buffer);
        RouteCodec.WriteNew(ref writer, route);
        var full = writer.Written.ToArray();
        for (var cut = 0; cut < full.Length; cut++)
        {
            DecodeAll(full.AsSpan(0, cut));
        }

        var spec = new MacvlanLinkSpec { Name = "mv0", ParentIndex = 2 };
        writer = new NetlinkMessageWriter(buffer);
        LinkCodec.WriteAdd(ref writer, spec);
        full = writer.Written.ToArray();
        for (var cut = 0; cut < full.Length; cut++)
        {
            DecodeAll(full.AsSpan(0, cut));
        }
    }

    [Fact]
    public void TruncatedRouteIsReportedNotSilentlyCut()
    {
        var buffer = new byte[256];
        var writer = new NetlinkMessageWriter(buffer);
        RouteCodec.WriteNew(ref writer, new Route { Destination = IPNetwork.Parse("10.0.0.0/8"), Gateway = IPAddress.Parse("10.0.0.1") });
        var cut = writer.Written[..^2].ToArray();
        var e = Assert.Throws<NetlinkParseException>(() => RouteCodec.Decode(cut));
        Assert.Contains("attribute type", e.Message);
    }

    [Fact]
    public void MessageReaderStopsAtAnInconsistentLength()
    {
        var datagram = Hex.Parse("ff000000 1000 0000 01000000 00000000 00000000");
        var reader = new NetlinkMessageReader(datagram);
        Assert.False(reader.TryRead(out _, out _));
        Assert.NotNull(reader.Error);
    }

    [Fact]
    public void AttributeReaderErrorIsSticky()
    {
        var data = Hex.Parse("0800 0100 01000000 ff00 0200 00000000 0800 0300 03000000");
        var reader = new NetlinkAttributeReader(data);
        Assert.True(reader.TryRead(out var type, out _));
        Assert.Equal(1, type);
        Assert.False(reader.TryRead(out _, out _));
        Assert.False(reader.TryRead(out _, out _));
        Assert.Contains("length 255", reader.Error);
    }
}
