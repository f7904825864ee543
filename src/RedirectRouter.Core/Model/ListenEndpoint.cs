using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RedirectRouter.Core.Model;

/// <summary>
/// A "HOST:PORT" address the agent listens on: <c>127.0.0.1:9100</c>, <c>[::1]:9100</c>, or <c>:9100</c> for every
/// address. The one reading of the settings' metrics address, so the parser, the planner (which keeps the port out
/// of DNAT) and the validator agree on what it means.
/// </summary>
public readonly record struct ListenEndpoint
{
    private ListenEndpoint(IPAddress? address, int port) => (Address, Port) = (address, port);

    /// <summary>The address listened on; null for every address.</summary>
    public IPAddress? Address { get; }

    /// <summary>The TCP port, 1-65535.</summary>
    public int Port { get; }

    /// <summary>
    /// Parses "IPv4:PORT", "[IPv6]:PORT" or ":PORT" (every address). Only dotted-decimal IPv4 and bracketed IPv6
    /// literals are taken (no names, no shortened IPv4 forms); the port is decimal, 1-65535.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ListenEndpoint endpoint)
    {
        endpoint = default;
        var colon = text?.LastIndexOf(':') ?? -1;
        if (colon < 0 || !AddressText.TryParseDecimal(text![(colon + 1)..], 65535, out var port) || port == 0)
        {
            return false;
        }
        var host = text[..colon];
        if (host.Length == 0)
        {
            endpoint = new ListenEndpoint(null, port);
            return true;
        }
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!AddressText.TryParseAddress(host[1..^1], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
            endpoint = new ListenEndpoint(v6, port);
            return true;
        }
        if (!AddressText.TryParseIPv4(host, out var v4))
        {
            return false;
        }
        endpoint = new ListenEndpoint(v4, port);
        return true;
    }

    /// <summary>
    /// Parses an address given on the command line (<c>--metrics</c>): the same grammar as <see cref="TryParse"/>,
    /// plus the spellings people type there, <c>*:PORT</c> for every address and <c>localhost:PORT</c> for loopback.
    /// </summary>
    public static bool TryParseCommandLine([NotNullWhen(true)] string? text, out ListenEndpoint endpoint)
    {
        var colon = text?.LastIndexOf(':') ?? -1;
        var host = colon < 0 ? null : text![..colon];
        var canonical = host switch
        {
            "*" => text![colon..],
            "localhost" => "127.0.0.1" + text![colon..],
            _ => text,
        };
        return TryParse(canonical, out endpoint);
    }

    /// <summary>The port of <paramref name="text"/> when it is a listen endpoint, else null.</summary>
    public static int? PortOf(string? text) => TryParse(text, out var endpoint) ? endpoint.Port : null;

    /// <summary>The socket address to bind: every IPv4 address when none was given.</summary>
    public IPEndPoint ForListening() => new(Address ?? IPAddress.Any, Port);

    /// <summary>The socket address to connect to on this host: loopback when listening on every address.</summary>
    public IPEndPoint ForConnecting() => new(
        Address is null || Address.Equals(IPAddress.Any) ? IPAddress.Loopback
        : Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
        : Address,
        Port);

    /// <summary>"127.0.0.1:9100", "[::1]:9100", ":9100".</summary>
    public override string ToString() => Address switch
    {
        null => string.Create(CultureInfo.InvariantCulture, $":{Port}"),
        { AddressFamily: AddressFamily.InterNetworkV6 } => string.Create(CultureInfo.InvariantCulture, $"[{Address}]:{Port}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Address}:{Port}"),
    };
}
