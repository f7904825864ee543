using System.Net;
using System.Net.Sockets;

namespace RedirectRouter.Core.Model;

/// <summary>Where traffic that matches no rule goes, per address family; null = dropped.</summary>
/// <param name="IPv4">The IPv4 fallback destination.</param>
/// <param name="IPv6">The IPv6 fallback destination.</param>
public sealed record FallbackDestinations(IPAddress? IPv4, IPAddress? IPv6)
{
    /// <summary>No fallback: unmatched traffic is not forwarded.</summary>
    public static FallbackDestinations None { get; } = new(null, null);

    /// <summary>The fallbacks that are set, IPv4 first.</summary>
    public IEnumerable<IPAddress> All
    {
        get
        {
            if (IPv4 is not null)
            {
                yield return IPv4;
            }
            if (IPv6 is not null)
            {
                yield return IPv6;
            }
        }
    }

    /// <summary>The fallback for one family.</summary>
    public IPAddress? For(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? IPv6 : IPv4;
}
