using System.Buffers.Binary;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink;

/// <summary>Decodes one dump reply payload into <paramref name="into"/> (adding nothing skips the entry).</summary>
internal delegate void DumpReplyDecoder<T>(ReadOnlySpan<byte> payload, List<T> into);

/// <summary>
/// Reads a netlink dump, for rtnetlink and nf_tables alike: the replies to one request up to <c>NLMSG_DONE</c>.
/// A dump the kernel marks as interrupted (<c>NLM_F_DUMP_INTR</c>: the table changed meanwhile) is repeated, up to
/// five times. Callers hold their handle's lock.
/// </summary>
internal static class NetlinkDump
{
    public const int MaxAttempts = 5;

    /// <summary>
    /// Runs the dump that <paramref name="send"/> requests (it returns the request's sequence number) and decodes every
    /// reply. <paramref name="typeName"/> and <paramref name="request"/> name it in errors; <paramref name="retried"/>
    /// counts the repeated attempts.
    /// </summary>
    public static List<T> Run<T>(NetlinkSocket socket, byte[] receiveBuffer, Func<uint> send, DumpReplyDecoder<T> decode,
        string typeName, string request, ref long retried)
    {
        for (var attempt = 1; ; attempt++)
        {
            var items = Once(socket, receiveBuffer, send(), decode, typeName, request, out var interrupted);
            if (!interrupted)
            {
                return items;
            }

            if (attempt == MaxAttempts)
            {
                throw new NetlinkException(Errors.EINTR, $"{typeName} ({request})", $"dump interrupted {MaxAttempts} times in a row");
            }

            retried++;
        }
    }

    private static List<T> Once<T>(NetlinkSocket socket, byte[] receiveBuffer, uint sequence, DumpReplyDecoder<T> decode,
        string typeName, string request, out bool interrupted)
    {
        var items = new List<T>();
        interrupted = false;
        NetlinkParseException? parseError = null;
        while (true)
        {
            var length = socket.Receive(receiveBuffer);
            var reader = new NetlinkMessageReader(receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out var header, out var payload))
            {
                if (header.Sequence != sequence || header.PortId != socket.PortId)
                {
                    // A late reply to an earlier request (for example after a timeout); not ours.
                    continue;
                }

                if ((header.Flags & (ushort)NetlinkFlags.DumpInterrupted) != 0)
                {
                    interrupted = true;
                }

                switch (header.Type)
                {
                    case NetlinkMessageType.Done:
                        // NLMSG_DONE carries the dump's final status; negative is an errno.
                        var status = payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : 0;
                        if (status < 0)
                        {
                            throw new NetlinkException(-status, $"{typeName} ({request})");
                        }

                        if (parseError is not null)
                        {
                            throw parseError;
                        }

                        return items;
                    case NetlinkMessageType.Error:
                        var ack = NetlinkHandle.ParseAck(header, payload);
                        throw new NetlinkException(ack.Errno == 0 ? Errors.EINVAL : ack.Errno, $"{typeName} ({request})", ack.Text);
                    case NetlinkMessageType.Noop or NetlinkMessageType.Overrun:
                        continue;
                }

                try
                {
                    decode(payload, items);
                }
                catch (NetlinkParseException e)
                {
                    // Keep reading to the end of the dump so the socket stays in step, then report.
                    parseError ??= e;
                }
            }

            if (reader.Error is { } error)
            {
                throw new NetlinkParseException($"reply to {typeName}: {error}");
            }
        }
    }
}
