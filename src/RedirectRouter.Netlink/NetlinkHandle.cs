using System.Runtime.InteropServices;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink;

/// <summary>
/// rtnetlink requests in one network namespace: the verbs of <c>ip link</c>, <c>ip addr</c>,
/// <c>ip route</c>, <c>ip rule</c> and <c>ip neigh</c>. The handle owns one socket, which stays in the
/// namespace it was opened in; calls are serialised, so one handle may be shared between threads.
/// </summary>
public sealed partial class NetlinkHandle : IDisposable
{
    // Acks of one batch must fit the socket's receive buffer; 128 small acks stay far below 1 MiB.
    private const int MaxMessagesPerBatch = 128;

    private readonly NetlinkSocket _socket;
    private readonly Lock _gate = new();
    private readonly byte[] _sendBuffer = new byte[64 * 1024];
    private readonly byte[] _receiveBuffer = new byte[64 * 1024];

    private NetlinkHandle(NetlinkSocket socket) => _socket = socket;

    /// <summary>The optional socket features the kernel accepted.</summary>
    public NetlinkSocketFeatures Features => _socket.Features;

    /// <summary>How many dumps were repeated because the kernel marked them interrupted (for metrics).</summary>
    public long InterruptedDumpsRetried { get; private set; }

    /// <summary>Opens a handle in the calling thread's network namespace.</summary>
    public static NetlinkHandle Open() => new(NetlinkSocket.Open());

    /// <summary>Opens a handle bound to <paramref name="ns"/>, without switching the calling thread.</summary>
    public static NetlinkHandle OpenIn(NetNamespace ns) => new(ns.Run(() => NetlinkSocket.Open()));

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _socket.Dispose();

    /// <summary>Sends one request with <c>NLM_F_ACK</c> and waits for its acknowledgement.</summary>
    internal void Execute<TState>(ushort type, NetlinkFlags flags, TState state, MessageBodyWriter<TState> body)
        where TState : notnull
    {
        lock (_gate)
        {
            var sequence = SendRequest(type, flags | NetlinkFlags.Ack, state, body);
            if (WaitForAcks(sequence, 1, out _) is { } failure)
            {
                throw new NetlinkException(failure.Errno, Describe(type, state), failure.Text);
            }
        }
    }

    /// <summary>
    /// Sends many requests of one kind, packing up to 128 into each datagram, and waits for all
    /// acknowledgements. Every request is attempted; the first failure is thrown after the rest finished.
    /// </summary>
    internal void ExecuteBatch<TState>(ushort type, NetlinkFlags flags, IReadOnlyList<TState> states, MessageBodyWriter<TState> body)
        where TState : notnull
    {
        lock (_gate)
        {
            NetlinkException? first = null;
            var index = 0;
            while (index < states.Count)
            {
                var writer = new NetlinkMessageWriter(_sendBuffer);
                var firstSequence = 0u;
                var count = 0;
                // Leave room for the largest single message we build (a few hundred bytes).
                while (index < states.Count && count < MaxMessagesPerBatch && writer.Remaining > 4096)
                {
                    var sequence = _socket.NextSequence();
                    if (count == 0)
                    {
                        firstSequence = sequence;
                    }

                    var message = writer.BeginMessage(type, flags | NetlinkFlags.Request | NetlinkFlags.Ack, sequence);
                    body(ref writer, states[index]);
                    writer.EndMessage(message);
                    index++;
                    count++;
                }

                _socket.Send(writer.Written);
                var error = WaitForAcks(firstSequence, count, out var failedSequence);
                if (error is { } failure && first is null)
                {
                    var failedIndex = index - count + (int)unchecked(failedSequence - firstSequence);
                    first = new NetlinkException(failure.Errno, Describe(type, states[failedIndex]), failure.Text);
                }
            }

            if (first is not null)
            {
                throw first;
            }
        }
    }

    /// <summary>
    /// Sends a dump request and decodes every reply. A dump the kernel marks as interrupted
    /// (<c>NLM_F_DUMP_INTR</c>: the table changed meanwhile) is repeated, up to five times.
    /// </summary>
    internal List<TItem> Dump<TState, TItem>(ushort type, TState state, MessageBodyWriter<TState> body, PayloadDecoder<TItem> decode)
        where TState : notnull
        where TItem : class
    {
        lock (_gate)
        {
            var retried = InterruptedDumpsRetried;
            try
            {
                return NetlinkDump.Run<TItem>(_socket, _receiveBuffer, () => SendRequest(type, NetlinkFlags.Dump, state, body),
                    (payload, into) =>
                    {
                        if (decode(payload) is { } item)
                        {
                            into.Add(item);
                        }
                    },
                    RtmType.Name(type), state.ToString() ?? "", ref retried);
            }
            finally
            {
                InterruptedDumpsRetried = retried;
            }
        }
    }

    /// <summary>Sends a get request and decodes the single reply; null when the kernel says the object does not exist.</summary>
    internal TItem? Get<TState, TItem>(ushort type, TState state, MessageBodyWriter<TState> body, PayloadDecoder<TItem> decode)
        where TState : notnull
        where TItem : class
    {
        lock (_gate)
        {
            var sequence = SendRequest(type, NetlinkFlags.Ack, state, body);
            TItem? result = null;
            NetlinkParseException? parseError = null;
            while (true)
            {
                var length = _socket.Receive(_receiveBuffer);
                var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, length));
                while (reader.TryRead(out var header, out var payload))
                {
                    if (header.Sequence != sequence || header.PortId != _socket.PortId)
                    {
                        continue;
                    }

                    if (header.Type == NetlinkMessageType.Error)
                    {
                        var ack = ParseAck(header, payload);
                        if (ack.Errno == 0)
                        {
                            if (parseError is not null)
                            {
                                throw parseError;
                            }

                            return result;
                        }

                        if (ack.Errno is Errors.ENODEV or Errors.ENOENT or Errors.ESRCH)
                        {
                            return null;
                        }

                        throw new NetlinkException(ack.Errno, Describe(type, state), ack.Text);
                    }

                    try
                    {
                        result ??= decode(payload);
                    }
                    catch (NetlinkParseException e)
                    {
                        parseError ??= e;
                    }
                }

                ThrowIfMalformed(reader.Error, type);
            }
        }
    }

    /// <summary>Writes one request into the send buffer, sends it, and returns its sequence number.</summary>
    private uint SendRequest<TState>(ushort type, NetlinkFlags flags, TState state, MessageBodyWriter<TState> body)
        where TState : notnull
    {
        var sequence = _socket.NextSequence();
        var writer = new NetlinkMessageWriter(_sendBuffer);
        var message = writer.BeginMessage(type, flags | NetlinkFlags.Request, sequence);
        body(ref writer, state);
        writer.EndMessage(message);
        _socket.Send(writer.Written);
        return sequence;
    }

    /// <summary>
    /// Reads acknowledgements for <paramref name="count"/> requests numbered from <paramref name="firstSequence"/>.
    /// Returns the first failure, if any, after all acks arrived.
    /// </summary>
    private (int Errno, string? Text)? WaitForAcks(uint firstSequence, int count, out uint failedSequence)
    {
        failedSequence = 0;
        (int Errno, string? Text)? failure = null;
        var pending = count;
        while (pending > 0)
        {
            var length = _socket.Receive(_receiveBuffer);
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out var header, out var payload))
            {
                var offset = unchecked(header.Sequence - firstSequence);
                if (offset >= (uint)count || header.PortId != _socket.PortId || header.Type != NetlinkMessageType.Error)
                {
                    continue;
                }

                pending--;
                var ack = ParseAck(header, payload);
                if (ack.Errno != 0 && failure is null)
                {
                    failure = ack;
                    failedSequence = header.Sequence;
                }
            }

            ThrowIfMalformed(reader.Error, 0);
        }

        return failure;
    }

    /// <summary>Reads an <c>NLMSG_ERROR</c>: the errno (positive) and, with extended acks, the kernel's text.</summary>
    internal static (int Errno, string? Text) ParseAck(in NlMsgHdr header, ReadOnlySpan<byte> payload)
    {
        var (errno, text, _) = NetlinkAck.Parse(header, payload);
        return (errno, text);
    }

    private static void ThrowIfMalformed(string? error, ushort type)
    {
        if (error is not null)
        {
            throw new NetlinkParseException($"reply to {RtmType.Name(type)}: {error}");
        }
    }

    private static string Describe<TState>(ushort type, TState state) where TState : notnull =>
        $"{RtmType.Name(type)} ({state})";
}
