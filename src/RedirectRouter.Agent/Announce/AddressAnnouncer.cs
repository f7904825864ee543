using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Packet;

namespace RedirectRouter.Agent.Announce;

/// <summary>
/// Tells the segment that our egress addresses now live at our MAC: a gratuitous ARP per IPv4
/// address (RFC 5227 announcement) and an unsolicited neighbour advertisement with the Override
/// flag per IPv6 address. Sent natively, without <c>arping</c> and without waiting.
/// </summary>
public static class AddressAnnouncer
{
    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    /// <summary>Sends one announcement for each address, from inside <paramref name="ns"/> (or the calling thread's namespace).</summary>
    public static void Announce(NetNamespace? ns, int interfaceIndex, PhysicalAddress mac, IEnumerable<IPAddress> addresses)
    {
        var all = addresses.ToArray();
        var v4 = all.Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToArray();
        var v6 = all.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).ToArray();
        if (v4.Length > 0)
        {
            using var arp = ArpSocket.Open(ns, interfaceIndex);
            foreach (var address in v4)
            {
                arp.Broadcast(ArpPacket.Announcement(mac, address));
            }
        }

        foreach (var address in v6)
        {
            using var icmp = ns is null ? OpenIcmpV6() : ns.Run(OpenIcmpV6);
            SendNeighborAdvertisement(icmp, interfaceIndex, mac, address);
        }
    }

    private static Socket OpenIcmpV6() => new(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);

    private static void SendNeighborAdvertisement(Socket socket, int interfaceIndex, PhysicalAddress mac, IPAddress address)
    {
        // Neighbour discovery messages must carry hop limit 255 (RFC 4861 §7.1.2).
        socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
        socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, interfaceIndex);
        socket.Bind(new IPEndPoint(address, 0));
        var message = new byte[NeighborAdvertisement.Size];
        NeighborAdvertisement.Write(message, address, mac);
        var destination = new IPAddress(AllNodes.GetAddressBytes(), interfaceIndex);
        socket.SendTo(message, new IPEndPoint(destination, 0));
    }
}
