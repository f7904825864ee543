using System.Net;
using RedirectRouter.Core.Model;
using Xunit;

namespace RedirectRouter.Core.Tests.Model;

public sealed class ListenEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:9100", "127.0.0.1", 9100)]
    [InlineData("0.0.0.0:1", "0.0.0.0", 1)]
    [InlineData("[::1]:65535", "::1", 65535)]
    [InlineData("[::]:9100", "::", 9100)]
    public void AnAddressAndPortAreRead(string text, string address, int port)
    {
        Assert.True(ListenEndpoint.TryParse(text, out var endpoint));

        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(text, endpoint.ToString());
    }

    [Fact]
    public void AnEmptyHostMeansEveryAddress()
    {
        Assert.True(ListenEndpoint.TryParse(":9100", out var endpoint));

        Assert.Null(endpoint.Address);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 9100), endpoint.ForListening());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9100), endpoint.ForConnecting());
        Assert.Equal(":9100", endpoint.ToString());
    }

    [Theory]
    [InlineData("0.0.0.0:9100", "127.0.0.1")]
    [InlineData("[::]:9100", "::1")]
    [InlineData("192.0.2.7:9100", "192.0.2.7")]
    public void ConnectingToAnUnspecifiedAddressGoesToLoopback(string text, string expected)
    {
        Assert.True(ListenEndpoint.TryParse(text, out var endpoint));

        Assert.Equal(new IPEndPoint(IPAddress.Parse(expected), 9100), endpoint.ForConnecting());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("9100")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:99999999999999999999")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1:+80")]
    [InlineData("127.0.0.1: 80")]
    [InlineData("127.0.0.1:80 ")]
    [InlineData("127.0.0.1:٩١٠٠")]
    [InlineData("localhost:9100")]
    [InlineData("*:9100")]
    [InlineData("127.1:9100")]
    [InlineData("256.0.0.1:9100")]
    [InlineData("::1:9100")]
    [InlineData("[127.0.0.1]:9100")]
    [InlineData("[::1:9100")]
    [InlineData("::1]:9100")]
    [InlineData("[fe80::1%eth0]:9100")]
    [InlineData("[]:9100")]
    [InlineData("127.0.0.1:9100\n")]
    public void HostileOrMalformedTextIsRefused(string? text)
    {
        Assert.False(ListenEndpoint.TryParse(text, out var endpoint));
        Assert.Equal(default, endpoint);
        Assert.Null(ListenEndpoint.PortOf(text));
    }

    [Fact]
    public void PortOfGivesThePortOfAnEveryAddressEndpointToo()
    {
        Assert.Equal(9100, ListenEndpoint.PortOf("127.0.0.1:9100"));
        Assert.Equal(9100, ListenEndpoint.PortOf(":9100"));
    }

    [Theory]
    [InlineData("*:9100", null, "127.0.0.1")]
    [InlineData("localhost:9100", "127.0.0.1", "127.0.0.1")]
    [InlineData("[::]:9100", "::", "::1")]
    public void TheCommandLineAlsoTakesStarAndLocalhost(string text, string? listening, string connecting)
    {
        Assert.True(ListenEndpoint.TryParseCommandLine(text, out var endpoint));

        Assert.Equal(listening is null ? null : IPAddress.Parse(listening), endpoint.Address);
        Assert.Equal(IPAddress.Parse(connecting), endpoint.ForConnecting().Address);
        Assert.Equal(9100, endpoint.Port);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*:")]
    [InlineData("**:9100")]
    [InlineData("localhost")]
    [InlineData("localhost.:9100")]
    [InlineData("LOCALHOST:9100")]
    [InlineData("example.com:9100")]
    [InlineData("*:0")]
    [InlineData(null)]
    public void TheCommandLineRefusesEverythingElse(string? text)
    {
        Assert.False(ListenEndpoint.TryParseCommandLine(text, out var endpoint));
        Assert.Equal(default, endpoint);
    }
}
