using System.Net;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Validation;

/// <summary>Decides which home traffic to a destination leaves by (shared by validation and planning, so they agree).</summary>
public static class HomeSelector
{
    /// <summary>
    /// The named home if <paramref name="explicitHome"/> is given (null if there is none of that name); otherwise
    /// the home with the longest route or subnet covering the destination; otherwise the first home with an
    /// address of the destination's family; otherwise the first home.
    /// </summary>
    public static Home? Select(RouterConfig config, IPAddress destination, string? explicitHome)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(destination);
        if (explicitHome is not null)
        {
            return config.Homes.FirstOrDefault(h => h.Name == explicitHome);
        }
        Home? best = null;
        var bestLength = -1;
        foreach (var home in config.Homes)
        {
            var covering = home.Routes.Select(r => r.Destination)
                .Concat(home.Addresses.Select(a => a.Subnet))
                .Where(n => n.BaseAddress.AddressFamily == destination.AddressFamily && n.PrefixLength > 0 && n.Contains(destination));
            foreach (var network in covering)
            {
                if (network.PrefixLength > bestLength)
                {
                    (best, bestLength) = (home, network.PrefixLength);
                }
            }
        }
        return best
            ?? config.Homes.FirstOrDefault(h => h.SourceFor(destination.AddressFamily) is not null)
            ?? config.Homes.FirstOrDefault();
    }
}
