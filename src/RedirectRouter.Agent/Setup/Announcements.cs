using System.Net;
using System.Net.NetworkInformation;
using RedirectRouter.Agent.Announce;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Agent.Setup;

/// <summary>Announces every egress address of the desired state on its interface; returns how many were sent.</summary>
public static class Announcements
{
    /// <summary>Sends one round of announcements (a gratuitous ARP or unsolicited NA per address).</summary>
    public static int SendAll(RouterNamespaces namespaces, NetworkState desired)
    {
        var sent = 0;
        foreach (var group in desired.Addresses.GroupBy(a => a.Interface))
        {
            var link = namespaces.OwnHandle.LinkGetByName(group.Key) ?? throw new SetupException("announce", $"{group.Key} is missing");
            if (link.MacAddress is not { } mac)
            {
                continue;
            }

            var addresses = group.Select(a => a.Address.Address).ToArray();
            AddressAnnouncer.Announce(namespaces.Own, link.Index, mac, addresses);
            sent += addresses.Length;
        }

        return sent;
    }
}
