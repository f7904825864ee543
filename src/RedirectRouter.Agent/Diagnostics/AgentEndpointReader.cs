using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Model;
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

    /// <summary>
    /// The address to connect to for the agent's <c>--metrics</c> HOST:PORT (IPv6 in brackets, <c>localhost</c>
    /// and <c>*</c> taken as on the agent's command line); an agent listening on every address is asked on loopback.
    /// </summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parsed = ListenEndpoint.TryParseCommandLine(text, out var listen);
        endpoint = parsed ? listen.ForConnecting() : null!;
        return parsed;
    }
}
