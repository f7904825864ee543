using System.Runtime.InteropServices;
using RedirectRouter.Netlink.Interop;
using Tmds.Linux;

namespace RedirectRouter.Netlink;

/// <summary>
/// A raw netlink socket: datagrams in and out, with the sender checked on every receive.
/// The socket belongs to the network namespace of the thread that opened it, for its whole life.
/// Not thread-safe; <see cref="NetlinkHandle"/> serialises access.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    private const int DefaultReceiveBufferBytes = 1 << 20;
    private readonly NetlinkSafeHandle _handle;
    private uint _sequence;

    private NetlinkSocket(NetlinkSafeHandle handle, uint portId, NetlinkSocketFeatures features)
    {
        _handle = handle;
        PortId = portId;
        Features = features;
        // Start from a time-derived value so a restarted agent does not reuse the last run's numbers.
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>The port id the kernel assigned to this socket.</summary>
    public uint PortId { get; }

    /// <summary>The descriptor, for waiting on it with poll.</summary>
    internal int Fd => _handle.Fd;

    /// <summary>The optional features the kernel accepted.</summary>
    public NetlinkSocketFeatures Features { get; }

    /// <summary>How many datagrams were dropped because they did not come from the kernel.</summary>
    public long ForeignDatagramsDropped { get; private set; }

    /// <summary>
    /// Opens a socket in the calling thread's network namespace, binds it, and enables
    /// <c>NETLINK_EXT_ACK</c>, <c>NETLINK_CAP_ACK</c> and <c>NETLINK_GET_STRICT_CHK</c> where the kernel allows.
    /// </summary>
    public static NetlinkSocket Open(int protocol = NetlinkProtocol.Route)
    {
        var fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw new NetlinkException(LibC.errno, "socket(AF_NETLINK)");
        }

        var handle = new NetlinkSafeHandle(fd);
        try
        {
            var address = new SockAddrNl { Family = AddressFamily.Netlink };
            if (LibC.bind(fd, (sockaddr*)&address, (uint)sizeof(SockAddrNl)) != 0)
            {
                throw new NetlinkException(LibC.errno, "bind(AF_NETLINK)");
            }

            var length = (uint)sizeof(SockAddrNl);
            if (LibC.getsockname(fd, (sockaddr*)&address, (socklen_t*)&length) != 0)
            {
                throw new NetlinkException(LibC.errno, "getsockname(AF_NETLINK)");
            }

            var features = new NetlinkSocketFeatures(
                ExtendedAck: TrySetOption(fd, NetlinkSocketOption.ExtendedAck, 1),
                CapAck: TrySetOption(fd, NetlinkSocketOption.CapAck, 1),
                StrictCheck: TrySetOption(fd, NetlinkSocketOption.GetStrictCheck, 1));

            // A large receive buffer keeps batched acknowledgements and event bursts from overflowing.
            // SO_RCVBUFFORCE needs CAP_NET_ADMIN; fall back to the capped SO_RCVBUF.
            var bufferBytes = DefaultReceiveBufferBytes;
            if (LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &bufferBytes, sizeof(int)) != 0)
            {
                _ = LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, &bufferBytes, sizeof(int));
            }

            var socket = new NetlinkSocket(handle, address.PortId, features);
            socket.SetReceiveTimeout(TimeSpan.FromSeconds(10));
            return socket;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The next request sequence number.</summary>
    public uint NextSequence() => unchecked(++_sequence == 0 ? ++_sequence : _sequence);

    /// <summary>Bounds how long <see cref="Receive"/> waits; a timeout surfaces as ETIMEDOUT.</summary>
    public void SetReceiveTimeout(TimeSpan timeout)
    {
        var value = new Timeval
        {
            Seconds = (long)timeout.TotalSeconds,
            Microseconds = timeout.Microseconds + (timeout.Milliseconds * 1000),
        };
        if (LibC.setsockopt(_handle.Fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, &value, (uint)sizeof(Timeval)) != 0)
        {
            throw new NetlinkException(LibC.errno, "setsockopt(SO_RCVTIMEO)");
        }
    }

    /// <summary>Subscribes to an rtnetlink multicast group (<c>NETLINK_ADD_MEMBERSHIP</c>).</summary>
    public void JoinGroup(RtnlGroup group) => JoinGroup((uint)group);

    /// <summary>Subscribes to a multicast group of this socket's protocol by number (<c>NETLINK_ADD_MEMBERSHIP</c>).</summary>
    public void JoinGroup(uint group)
    {
        var value = (int)group;
        if (LibC.setsockopt(_handle.Fd, NetlinkSocketOption.SolNetlink, NetlinkSocketOption.AddMembership, &value, sizeof(int)) != 0)
        {
            throw new NetlinkException(LibC.errno, $"setsockopt(NETLINK_ADD_MEMBERSHIP, {group})");
        }
    }

    /// <summary>Sends one datagram (one or several messages) to the kernel.</summary>
    public void Send(ReadOnlySpan<byte> datagram)
    {
        var kernel = new SockAddrNl { Family = AddressFamily.Netlink };
        fixed (byte* data = datagram)
        {
            while (true)
            {
                var sent = LibC.sendto(_handle.Fd, data, datagram.Length, 0, (sockaddr*)&kernel, (uint)sizeof(SockAddrNl));
                if (sent >= 0)
                {
                    return;
                }

                var errno = LibC.errno;
                if (errno != Errors.EINTR)
                {
                    throw new NetlinkException(errno, "sendto(netlink)");
                }
            }
        }
    }

    /// <summary>
    /// Receives one datagram from the kernel into <paramref name="buffer"/> and returns its length.
    /// Datagrams from any other sender are dropped. A datagram larger than the buffer is an error, never silently cut.
    /// </summary>
    public int Receive(Span<byte> buffer)
    {
        fixed (byte* data = buffer)
        {
            while (true)
            {
                var from = default(SockAddrNl);
                var vector = new iovec { iov_base = data, iov_len = buffer.Length };
                var header = new msghdr { msg_name = &from, msg_namelen = (uint)sizeof(SockAddrNl), msg_iov = &vector, msg_iovlen = 1 };
                var received = (long)LibC.recvmsg(_handle.Fd, &header, 0);
                if (received < 0)
                {
                    var errno = LibC.errno;
                    if (errno == Errors.EINTR)
                    {
                        continue;
                    }

                    throw new NetlinkException(errno == Errors.EAGAIN ? Errors.ETIMEDOUT : errno, "recvmsg(netlink)");
                }

                if ((header.msg_flags & LibC.MSG_TRUNC) != 0)
                {
                    throw new NetlinkException(Errors.ENOBUFS, $"recvmsg(netlink): a datagram was larger than the {buffer.Length}-byte buffer");
                }

                if (from.PortId != 0)
                {
                    // Only the kernel (port 0) may answer; anything else is spoofed or stray.
                    ForeignDatagramsDropped++;
                    continue;
                }

                return (int)received;
            }
        }
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _handle.Dispose();

    private static bool TrySetOption(int fd, int option, int value) =>
        LibC.setsockopt(fd, NetlinkSocketOption.SolNetlink, option, &value, sizeof(int)) == 0;
}
