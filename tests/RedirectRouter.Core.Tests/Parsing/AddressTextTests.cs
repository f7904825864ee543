using System.Net;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Tests.Parsing;

public sealed class AddressTextTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("127.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("0x7f.1")]
    [InlineData("999.1.1.1")]
    [InlineData("1.2.3.256")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("+1.2.3.4")]
    [InlineData("1..3.4")]
    [InlineData("")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("::ffff:1.2.3.999")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    public void Odd_forms_that_IPAddress_Parse_might_accept_are_rejected(string text)
    {
        Assert.False(AddressText.TryParseAddress(text, out _));
    }

    [Theory]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("10.7.8.9", "10.7.8.9")]
    [InlineData("2001:DB8::1", "2001:db8::1")]
    [InlineData("::ffff:1.2.3.4", "::ffff:1.2.3.4")]
    public void WellFormedAddressesParse(string text, string canonical)
    {
        Assert.True(AddressText.TryParseAddress(text, out var address));
        Assert.Equal(IPAddress.Parse(canonical), address);
    }

    [Fact]
    public void InterfaceAddressesKeepHostBitsAndKnowTheirSubnet()
    {
        Assert.True(AddressText.TryParseInterfaceAddress("192.0.2.10/24", prefixOptional: false, out var address));
        Assert.Equal("192.0.2.0/24", address.Subnet.ToString());
        Assert.Equal("192.0.2.10/24", address.ToString());
        Assert.True(AddressText.TryParseInterfaceAddress("2001:db8::10", prefixOptional: true, out var bare));
        Assert.Equal(128, bare.PrefixLength);
        Assert.False(AddressText.TryParseInterfaceAddress("192.0.2.10", prefixOptional: false, out _));
        Assert.False(AddressText.TryParseInterfaceAddress("192.0.2.10/33", prefixOptional: false, out _));
        Assert.False(AddressText.TryParseInterfaceAddress("192.0.2.10/024", prefixOptional: false, out _));
    }
}
