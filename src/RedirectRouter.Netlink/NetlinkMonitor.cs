using System.Threading.Channels;
using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink;

/// <summary>
/// Listens to rtnetlink multicast groups (as <c>ip monitor</c>) and yields typed events. A dedicated
/// background thread blocks on the socket, so no thread-pool thread waits on the kernel.
/// </summary>
public sealed class NetlinkMonitor : IDisposable
{
    /// <summary>The groups a router supervisor needs: links, IPv4/IPv6 addresses, routes and rules.</summary>
    public static readonly IReadOnlyList<RtnlGroup> RouterGroups =
    [
        RtnlGroup.Link, RtnlGroup.IPv4Address, RtnlGroup.IPv6Address, RtnlGroup.IPv4Route,
        RtnlGroup.IPv6Route, RtnlGroup.IPv4Rule, RtnlGroup.IPv6Rule,
    ];

    private readonly NetlinkSocket _socket;
    private readonly Channel<NetlinkEvent> _events = Channel.CreateUnbounded<NetlinkEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Thread _reader;
    private readonly Wakeup _wakeup = new();

    private NetlinkMonitor(NetlinkSocket socket)
    {
        _socket = socket;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "netlink-monitor" };
        _reader.Start();
    }

    /// <summary>The events, in the order the kernel sent them.</summary>
    public ChannelReader<NetlinkEvent> Events => _events.Reader;

    /// <summary>Subscribes to <paramref name="groups"/> in the calling thread's namespace, or in <paramref name="ns"/>.</summary>
    public static NetlinkMonitor Open(IEnumerable<RtnlGroup> groups, NetNamespace? ns = null)
    {
        var socket = ns is null ? NetlinkSocket.Open() : ns.Run(() => NetlinkSocket.Open());
        try
        {
            foreach (var group in groups)
            {
                socket.JoinGroup(group);
            }

            return new NetlinkMonitor(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Decodes one multicast message; null for message types a monitor does not report.</summary>
    internal static NetlinkEvent? Decode(ushort type, ReadOnlySpan<byte> payload) => type switch
    {
        RtmType.NewLink => new LinkEvent(LinkCodec.Decode(payload)),
        RtmType.DelLink => new LinkEvent(LinkCodec.Decode(payload)) { Deleted = true },
        RtmType.NewAddr => new AddressEvent(AddressCodec.Decode(payload)),
        RtmType.DelAddr => new AddressEvent(AddressCodec.Decode(payload)) { Deleted = true },
        RtmType.NewRoute => RouteCodec.Decode(payload) is { } added ? new RouteEvent(added) : null,
        RtmType.DelRoute => RouteCodec.Decode(payload) is { } removed ? new RouteEvent(removed) { Deleted = true } : null,
        RtmType.NewRule => RuleCodec.Decode(payload) is { } rule ? new RuleEvent(rule) : null,
        RtmType.DelRule => RuleCodec.Decode(payload) is { } gone ? new RuleEvent(gone) { Deleted = true } : null,
        _ => null,
    };

    /// <summary>Stops the reader thread and closes the socket.</summary>
    public void Dispose()
    {
        _wakeup.Signal();
        _reader.Join();
        _socket.Dispose();
        _wakeup.Dispose();
        _events.Writer.TryComplete();
    }

    private void ReadLoop()
    {
        var buffer = new byte[64 * 1024];
        // Blocks in poll until the kernel sends something or Dispose signals: no periodic wake-ups.
        while (_wakeup.WaitReadable(_socket.Fd))
        {
            int length;
            try
            {
                length = _socket.Receive(buffer);
            }
            catch (NetlinkException e) when (e.Errno == Errors.ETIMEDOUT)
            {
                continue;
            }
            catch (NetlinkException e) when (e.Errno == Errors.ENOBUFS)
            {
                _events.Writer.TryWrite(new EventsLostEvent("the kernel dropped announcements (ENOBUFS)"));
                continue;
            }
            catch (Exception e)
            {
                _events.Writer.TryComplete(e);
                return;
            }

            var reader = new NetlinkMessageReader(buffer.AsSpan(0, length));
            while (reader.TryRead(out var header, out var payload))
            {
                try
                {
                    if (Decode(header.Type, payload) is { } evt)
                    {
                        _events.Writer.TryWrite(evt);
                    }
                }
                catch (NetlinkParseException e)
                {
                    _events.Writer.TryWrite(new EventsLostEvent($"an announcement could not be decoded: {e.Message}"));
                }
            }

            if (reader.Error is { } error)
            {
                _events.Writer.TryWrite(new EventsLostEvent($"a malformed datagram: {error}"));
            }
        }
    }
}
