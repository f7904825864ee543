using System.Diagnostics;
using System.Runtime.InteropServices;
using RedirectRouter.Netlink.Interop;
using Tmds.Linux;

namespace RedirectRouter.Netlink.Packet;

/// <summary>
/// An <c>AF_PACKET</c> datagram socket for ARP on one interface: sends broadcast ARP and receives the ARP
/// packets seen on the link. Like every socket, it stays in the namespace it was opened in. Failures throw
/// <see cref="PacketSocketException"/>.
/// </summary>
public sealed unsafe class ArpSocket : IDisposable
{
    private const ushort EthernetTypeArp = 0x0806;
    private readonly NetlinkSafeHandle _handle;
    private readonly int _interfaceIndex;

    private ArpSocket(NetlinkSafeHandle handle, int interfaceIndex)
    {
        _handle = handle;
        _interfaceIndex = interfaceIndex;
    }

    /// <summary>Opens the socket on <paramref name="interfaceIndex"/> in the calling thread's namespace (needs CAP_NET_RAW).</summary>
    public static ArpSocket Open(int interfaceIndex)
    {
        var protocol = (ushort)System.Net.IPAddress.HostToNetworkOrder((short)EthernetTypeArp);
        // Protocol 0 first, then bind with ARP on the one interface: the kernel registers the receive hook once
        // (each re-registration waits for an RCU grace period, several milliseconds).
        var fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new PacketSocketException(LibC.errno, "socket(AF_PACKET, ETH_P_ARP)");
        }

        var handle = new NetlinkSafeHandle(fd);
        var address = new SockAddrLl { Family = (ushort)LibC.AF_PACKET, Protocol = protocol, InterfaceIndex = interfaceIndex };
        if (LibC.bind(fd, (sockaddr*)&address, (uint)sizeof(SockAddrLl)) != 0)
        {
            var errno = LibC.errno;
            handle.Dispose();
            throw new PacketSocketException(errno, $"bind(AF_PACKET) to interface #{interfaceIndex}");
        }

        return new ArpSocket(handle, interfaceIndex);
    }

    /// <summary>Opens the socket inside <paramref name="ns"/> (on a dedicated thread), or in the calling thread's namespace.</summary>
    public static ArpSocket Open(NetNamespace? ns, int interfaceIndex) =>
        ns is null ? Open(interfaceIndex) : ns.Run(() => Open(interfaceIndex));

    /// <summary>Broadcasts <paramref name="packet"/> on the interface.</summary>
    public void Broadcast(ArpPacket packet)
    {
        Span<byte> payload = stackalloc byte[ArpPacket.Size];
        packet.Write(payload);
        var destination = new SockAddrLl
        {
            Family = (ushort)LibC.AF_PACKET,
            Protocol = (ushort)System.Net.IPAddress.HostToNetworkOrder((short)EthernetTypeArp),
            InterfaceIndex = _interfaceIndex,
            HardwareAddressLength = 6,
        };
        for (var i = 0; i < 6; i++)
        {
            destination.Address[i] = 0xff;
        }

        fixed (byte* data = payload)
        {
            if (LibC.sendto(_handle.Fd, data, payload.Length, 0, (sockaddr*)&destination, (uint)sizeof(SockAddrLl)) < 0)
            {
                throw new PacketSocketException(LibC.errno, $"send ARP on interface #{_interfaceIndex}");
            }
        }
    }

    /// <summary>Waits until <paramref name="deadline"/> for the next ARP packet; null when none arrived in time.</summary>
    public ArpPacket? Receive(long deadline)
    {
        Span<byte> buffer = stackalloc byte[256];
        while (true)
        {
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (deadline <= Stopwatch.GetTimestamp())
            {
                return null;
            }

            var timeout = new Timeval
            {
                Seconds = (long)(-remaining).TotalSeconds,
                Microseconds = Math.Max(1, (-remaining).Microseconds + ((-remaining).Milliseconds * 1000)),
            };
            _ = LibC.setsockopt(_handle.Fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, &timeout, (uint)sizeof(Timeval));
            fixed (byte* data = buffer)
            {
                var received = (long)LibC.recv(_handle.Fd, data, buffer.Length, 0);
                if (received < 0)
                {
                    var errno = LibC.errno;
                    if (errno is Errors.EINTR or Errors.EAGAIN)
                    {
                        continue;
                    }

                    throw new PacketSocketException(errno, $"receive ARP on interface #{_interfaceIndex}");
                }

                if (ArpPacket.TryParse(buffer[..(int)received], out var packet))
                {
                    return packet;
                }
            }
        }
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Closes the socket on a pool thread: closing a packet socket waits for an RCU grace period (about 16 ms
    /// here), which need not hold up the caller.
    /// </summary>
    public void DisposeInBackground() => ThreadPool.UnsafeQueueUserWorkItem(static handle => handle.Dispose(), _handle, preferLocal: false);

    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte HardwareAddressLength;
        public fixed byte Address[8];
    }
}
