using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using RedirectRouter.Netlink;

using RedirectRouter.Netlink.Packet;

namespace RedirectRouter.Agent.Announce;

/// <summary>
/// RFC 5227 address conflict detection before claiming an IPv4 address: ARP probes ("who has X?",
/// sent from 0.0.0.0) spread over a short window, and any answer or competing probe from another MAC
/// is a conflict. The window is short (200 ms by default, as NetworkManager uses) so setup stays fast.
/// </summary>
public static class DuplicateAddressProbe
{
    /// <summary>The default listening window.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Probes for <paramref name="candidate"/> on the interface and returns the conflict, or null when no
    /// other host answered within <paramref name="window"/>. The interface must be up and must not hold the address yet.
    /// </summary>
    public static AddressConflict? Probe(NetNamespace? ns, int interfaceIndex, PhysicalAddress ownMac, IPAddress candidate, TimeSpan window, int probes = 2)
    {
        var socket = ArpSocket.Open(ns, interfaceIndex);
        try
        {
            return Listen(socket, ownMac, candidate, window, probes);
        }
        finally
        {
            socket.DisposeInBackground();
        }
    }

    private static AddressConflict? Listen(ArpSocket socket, PhysicalAddress ownMac, IPAddress candidate, TimeSpan window, int probes)
    {
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(window.TotalSeconds * Stopwatch.Frequency);
        var interval = (deadline - start) / Math.Max(1, probes);
        var nextProbe = start;
        var sent = 0;
        while (true)
        {
            if (sent < probes && Stopwatch.GetTimestamp() >= nextProbe)
            {
                socket.Broadcast(ArpPacket.Probe(ownMac, candidate));
                sent++;
                nextProbe += interval;
            }

            var waitUntil = sent < probes ? Math.Min(nextProbe, deadline) : deadline;
            var packet = socket.Receive(waitUntil);
            if (packet is null)
            {
                if (Stopwatch.GetTimestamp() >= deadline)
                {
                    return null;
                }

                continue;
            }

            if (packet.SenderMac.Equals(ownMac))
            {
                // Our own packets come back on a packet socket.
                continue;
            }

            if (packet.SenderIp.Equals(candidate))
            {
                return new AddressConflict(candidate, packet.SenderMac, WasProbing: false);
            }

            if (packet.IsProbe && packet.TargetIp.Equals(candidate))
            {
                return new AddressConflict(candidate, packet.SenderMac, WasProbing: true);
            }
        }
    }
}
