using System.Runtime.CompilerServices;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Tests.Codec;

public sealed class StructLayoutTests
{
    // Sizes from the uapi headers; a wrong layout would corrupt every message.
    [Fact]
    public void StructuresHaveTheKernelSizes()
    {
        Assert.Equal(16, Unsafe.SizeOf<NlMsgHdr>());
        Assert.Equal(4, Unsafe.SizeOf<NlAttr>());
        Assert.Equal(16, Unsafe.SizeOf<IfInfoMsg>());
        Assert.Equal(8, Unsafe.SizeOf<IfAddrMsg>());
        Assert.Equal(4, Unsafe.SizeOf<RtGenMsg>());
        Assert.Equal(12, Unsafe.SizeOf<RtMsg>());
        Assert.Equal(12, Unsafe.SizeOf<FibRuleHdr>());
        Assert.Equal(12, Unsafe.SizeOf<NdMsg>());
        Assert.Equal(8, Unsafe.SizeOf<RtNextHop>());
        Assert.Equal(12, Unsafe.SizeOf<SockAddrNl>());
        Assert.Equal(20, Unsafe.SizeOf<NlMsgErr>());
    }
}
