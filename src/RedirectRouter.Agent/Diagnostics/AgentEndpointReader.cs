using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RedirectRouter.Netlink;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>The agent's health: its <c>/metrics</c>, fetched through a socket made inside the router's namespace.</summary>
internal static class AgentEndpointReader
{
    public static async Task<AgentFact> ReadAsync(NetNamespace? ns, string address, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (!TryParseEndpoint(address, out var endpoint))
        {
            return new AgentFact(address, false, null, null, new Dictionary<string, double>(), "not HOST:PORT with an IP address");
        }

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                // A socket belongs to the namespace it was made in: make it on a thread inside the router's.
                var socket = ns is null
                    ? new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
                    : ns.Run(() => new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
                try
                {
                    await socket.ConnectAsync(endpoint, token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = limit };
        try
        {
            var authority = endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : endpoint.ToString();
            using var response = await client.GetAsync(new Uri($"http://{authority}/metrics"), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? DiagParsers.ParseAgentMetrics(address, body)
                : new AgentFact(address, false, null, null, new Dictionary<string, double>(), $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException or IOException)
        {
            return new AgentFact(address, false, null, null, new Dictionary<string, double>(), e is TaskCanceledException ? "timed out" : e.Message);
        }
    }

    /// <summary>Parses HOST:PORT where HOST is an IP address (or <c>localhost</c>); IPv6 in brackets.</summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(text);
        endpoint = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        host = host is "localhost" or "" or "0.0.0.0" or "*" ? "127.0.0.1" : host == "::" ? "::1" : host;
        if (!IPAddress.TryParse(host, out var ip))
        {
            return false;
        }

        endpoint = new IPEndPoint(ip, port);
        return true;
    }
}
