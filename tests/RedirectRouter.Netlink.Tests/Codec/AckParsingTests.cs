using System.Runtime.InteropServices;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Tests.Codec;

public sealed class AckParsingTests
{
    [Fact]
    public void CappedErrorWithExtendedAckText()
    {
        var datagram = Hex.Parse("""
            34000000 0200 0003 07000000 2a000000
            efffffff
            58000000 1800 0505 07000000 00000000
            1000 0100 4e6f6e6578697374656e7400
            """);
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out var header, out var payload));
        var (errno, text) = NetlinkHandle.ParseAck(header, payload);
        Assert.Equal(Errors.EEXIST, errno);
        Assert.Equal("Nonexistent", text);
    }

    [Fact]
    public void UncappedErrorSkipsTheEchoedRequestBeforeTheText()
    {
        // The echoed request is a 28-byte message (16 header + 12 payload), then the text attribute.
        var datagram = Hex.Parse("""
            38000000 0200 0002 09000000 2a000000
            feffffff
            1c000000 2100 0500 09000000 00000000
            02 00 00 00 64 00 00 01 00000000
            0800 0100 6e6f7400
            """);
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out var header, out var payload));
        var (errno, text) = NetlinkHandle.ParseAck(header, payload);
        Assert.Equal(Errors.ENOENT, errno);
        Assert.Equal("not", text);
    }

    [Fact]
    public void PlainAcknowledgementHasNoError()
    {
        var datagram = Hex.Parse("""
            24000000 0200 0001 03000000 2a000000
            00000000
            20000000 1000 0500 03000000 00000000
            """);
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out var header, out var payload));
        Assert.Equal((0, (string?)null), NetlinkHandle.ParseAck(header, payload));
        Assert.Equal(Marshal.SizeOf<NlMsgErr>(), payload.Length);
    }

    [Fact]
    public void ExceptionNamesErrnoRequestAndKernelText()
    {
        var e = new NetlinkException(Errors.EEXIST, "RTM_NEWROUTE (10.0.0.0/24 via 10.0.0.1)", "Route exists");
        Assert.True(e.IsAlreadyExists);
        Assert.False(e.IsNotFound);
        Assert.Equal("EEXIST", e.ErrorName);
        Assert.Contains("RTM_NEWROUTE (10.0.0.0/24 via 10.0.0.1) failed", e.Message);
        Assert.Contains("(EEXIST): Route exists", e.Message);
    }
}
