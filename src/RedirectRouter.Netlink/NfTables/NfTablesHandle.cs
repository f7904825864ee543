using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Protocol;
using Tmds.Linux;
using static RedirectRouter.Netlink.NfTables.NfTablesProtocol;

namespace RedirectRouter.Netlink.NfTables;

/// <summary>
/// nf_tables requests in one network namespace, over <c>NETLINK_NETFILTER</c>, without an <c>nft</c> process:
/// element changes committed as one transaction, element dumps with counters, the ruleset generation, and
/// dumps of a table's chains and rules. Each verb is named after the nft command it equals. The handle owns
/// one socket, which stays in the namespace it was opened in; calls are serialised.
/// </summary>
public sealed class NfTablesHandle : IDisposable
{
    private const int SoSndBufForce = 32;
    private const int RetainedBatchBufferBytes = 64 * 1024;
    private readonly NetlinkSocket _socket;
    private readonly Lock _gate = new();
    private readonly byte[] _requestBuffer = new byte[4096];
    // A dump datagram is at most 32 KiB (the kernel caps its dump buffer); acks are small.
    private readonly byte[] _receiveBuffer = new byte[64 * 1024];
    private byte[] _batchBuffer = [];
    private int _sendBufferBytes;

    private NfTablesHandle(NetlinkSocket socket) => _socket = socket;

    /// <summary>
    /// The socket's netlink port id. The kernel stamps it on every change event a batch of this handle causes,
    /// so a monitor can tell our own changes from foreign ones.
    /// </summary>
    public uint PortId => _socket.PortId;

    /// <summary>How many dumps were repeated because the ruleset changed while they ran.</summary>
    public long InterruptedDumpsRetried { get; private set; }

    /// <summary>Opens a handle in the calling thread's network namespace.</summary>
    public static NfTablesHandle Open() => new(NetlinkSocket.Open(NetlinkNetfilter));

    /// <summary>Opens a handle bound to <paramref name="ns"/>, without switching the calling thread.</summary>
    public static NfTablesHandle OpenIn(NetNamespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return new(ns.Run(() => NetlinkSocket.Open(NetlinkNetfilter)));
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// The ruleset generation (<c>NFT_MSG_GETGEN</c>), which nft reads before every transaction. Pass it to
    /// <see cref="Commit"/> to have the kernel refuse the batch if anything was committed in between.
    /// </summary>
    public NfGeneration GenerationGet()
    {
        lock (_gate)
        {
            var sequence = SendRequest(Type(MsgGetGen), NetlinkFlags.Request, 0, static (ref w, _) => NfTablesCodec.WriteGetGeneration(ref w));
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
                        throw new NetlinkException(ack.Errno == 0 ? Errors.EINVAL : ack.Errno, "NFT_MSG_GETGEN", ack.Text);
                    }

                    if (header.Type == Type(MsgNewGen))
                    {
                        return NfTablesCodec.DecodeGeneration(payload);
                    }
                }

                ThrowIfMalformed(reader.Error, "NFT_MSG_GETGEN");
            }
        }
    }

    /// <summary>
    /// Commits <paramref name="batch"/> as one nf_tables transaction, as <c>nft -f FILE</c> does with a file of
    /// the same lines: all operations apply, or none. With <paramref name="generation"/>, the kernel refuses the
    /// batch (ERESTART) when the ruleset generation is no longer that one. A refused element is named in the
    /// error, found from the kernel's extended ack.
    /// </summary>
    public void Commit(NfTablesBatch batch, uint? generation = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            var size = NfTablesCodec.MaxBatchBytes(batch);
            // The buffer of a large batch (the first load of 10,000 elements: a MiB and more) is not kept: the
            // batches after it are a few changed elements.
            var buffer = size > RetainedBatchBufferBytes ? new byte[size] : _batchBuffer.Length >= size ? _batchBuffer : _batchBuffer = new byte[size];
            var layout = NfTablesCodec.EncodeBatch(buffer, batch, _socket.NextSequence, ack: true, generation);
            EnsureSendBuffer(layout.Length);
            _socket.Send(buffer.AsSpan(0, layout.Length));
            WaitForBatch(buffer, batch, layout, generation);
        }
    }

    /// <summary><c>nft add element FAMILY TABLE MAP { KEY : VALUE, ... }</c>, as one transaction.</summary>
    public void ElementsAdd(NfMap map, IEnumerable<NfMapElement> elements) => Commit(new NfTablesBatch().ElementsAdd(map, elements));

    /// <summary><c>nft create element FAMILY TABLE MAP { KEY : VALUE, ... }</c> (EEXIST if a key is there), as one transaction.</summary>
    public void ElementsCreate(NfMap map, IEnumerable<NfMapElement> elements) => Commit(new NfTablesBatch().ElementsCreate(map, elements));

    /// <summary><c>nft delete element FAMILY TABLE MAP { KEY, ... }</c> (ENOENT if a key is missing), as one transaction.</summary>
    public void ElementsDelete(NfMap map, IEnumerable<NfPortKey> keys) => Commit(new NfTablesBatch().ElementsDelete(map, keys));

    /// <summary>
    /// <c>nft -f</c> of <c>delete element FAMILY TABLE MAP { KEY, ... }</c> and <c>add element FAMILY TABLE MAP { KEY : VALUE, ... }</c>:
    /// new values for existing keys, in one transaction.
    /// </summary>
    public void ElementsReplace(NfMap map, IEnumerable<NfMapElement> elements) => Commit(new NfTablesBatch().ElementsReplace(map, elements));

    /// <summary><c>nft list map FAMILY TABLE MAP</c>: every element, with its counter when the map counts.</summary>
    public List<NfMapEntry> ElementsList(NfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Dump<NfMap, NfMapEntry>(Type(MsgGetSetElem), map, static (ref w, m) => NfTablesCodec.WriteGetElements(ref w, m),
            (payload, into) => NfTablesCodec.DecodeElements(payload, map, into), $"nft list map {map}");
    }

    /// <summary><c>nft -a list chains FAMILY</c>, keeping the chains of <paramref name="table"/>.</summary>
    public List<NfChain> ChainsList(NfFamily family, string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return ChainsOf(family, table);
    }

    /// <summary><c>nft -a list chains FAMILY</c>: the chains of every table (<see cref="NfFamily.Unspecified"/>: of every family).</summary>
    public List<NfChain> ChainsList(NfFamily family) => ChainsOf(family, null);

    private List<NfChain> ChainsOf(NfFamily family, string? table)
    {
        return Dump<NfFamily, NfChain>(Type(MsgGetChain), family, static (ref w, f) => NfTablesCodec.WriteGetChains(ref w, f),
            (payload, into) =>
            {
                if (NfTablesCodec.DecodeChain(payload, table) is { } chain)
                {
                    into.Add(chain);
                }
            },
            $"nft -a list chains {family.Keyword()}");
    }

    /// <summary><c>nft -a list table FAMILY TABLE</c> (rules of every chain) or <c>nft -a list chain FAMILY TABLE CHAIN</c>.</summary>
    public List<NfRule> RulesList(NfFamily family, string table, string? chain = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Dump<(NfFamily family, string table, string? chain), NfRule>(Type(MsgGetRule), (family, table, chain), static (ref w, s) => NfTablesCodec.WriteGetRules(ref w, s.family, s.table, s.chain),
            (payload, into) => into.Add(NfTablesCodec.DecodeRule(payload)),
            chain is null ? $"nft -a list table {family.Keyword()} {table}" : $"nft -a list chain {family.Keyword()} {table} {chain}");
    }

    /// <summary>True when <paramref name="e"/> is the kernel refusing a batch because its expected generation was stale.</summary>
    public static bool IsGenerationConflict(NetlinkException e) => e?.Errno == ERESTART;

    private void WaitForBatch(byte[] sent, NfTablesBatch batch, NfTablesCodec.BatchLayout layout, uint? generation)
    {
        var messages = layout.Messages;
        var answered = new bool[messages.Count];
        var pending = messages.Count;
        (int Message, int Errno, string? Text, int? Offset)? failure = null;
        while (pending > 0)
        {
            var length = _socket.Receive(_receiveBuffer);
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out var header, out var payload))
            {
                if (header.PortId != _socket.PortId || header.Type != NetlinkMessageType.Error)
                {
                    continue;
                }

                var ack = ParseAck(header, payload);
                if (header.Sequence == layout.BeginSequence)
                {
                    // The batch as a whole was refused (stale generation, no permission, commit failure):
                    // nothing of it applied. Acks that may follow carry this batch's numbers and are skipped later.
                    var why = ack.Errno == ERESTART && generation is { } id
                        ? $"the ruleset changed since generation {id}"
                        : ack.Text;
                    throw new NetlinkException(ack.Errno == 0 ? Errors.EINVAL : ack.Errno,
                        $"nf_tables transaction of {batch.Operations.Count} operation(s), first {batch.Operations[0]}", why);
                }

                var index = IndexOf(messages, header.Sequence);
                if (index < 0 || answered[index])
                {
                    continue;
                }

                answered[index] = true;
                pending--;
                if (ack.Errno != 0 && failure is null)
                {
                    failure = (index, ack.Errno, ack.Text, ack.Offset);
                }
            }

            ThrowIfMalformed(reader.Error, "nf_tables batch");
        }

        if (failure is { } f)
        {
            var message = messages[f.Message];
            var operation = batch.Operations[message.Operation];
            var element = f.Offset is { } offset
                ? NfTablesCodec.ElementAtOffset(sent.AsSpan(message.Start, message.Length), offset)
                : null;
            var what = element is { } k && k < message.Count
                ? operation.DescribeElement(message.FirstElement + k)
                : operation.ToString();
            var type = operation.Verb == NfElementVerb.Delete ? MsgDelSetElem : MsgNewSetElem;
            throw new NetlinkException(f.Errno, $"{Name(Type(type))} ({what}); the transaction was not applied", f.Text);
        }
    }

    private static int IndexOf(IReadOnlyList<NfTablesCodec.BatchMessage> messages, uint sequence)
    {
        // Sequence numbers are consecutive within a batch, except when the counter wraps past zero.
        var guess = (long)unchecked(sequence - messages[0].Sequence);
        if (guess >= 0 && guess < messages.Count && messages[(int)guess].Sequence == sequence)
        {
            return (int)guess;
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Sequence == sequence)
            {
                return i;
            }
        }

        return -1;
    }

    private List<T> Dump<TState, T>(ushort type, TState state, MessageBodyWriter<TState> body, DumpReplyDecoder<T> decode, string request)
        where TState : notnull
    {
        lock (_gate)
        {
            var retried = InterruptedDumpsRetried;
            try
            {
                return NetlinkDump.Run(_socket, _receiveBuffer, () => SendRequest(type, NetlinkFlags.Request | NetlinkFlags.Dump, state, body),
                    decode, Name(type), request, ref retried);
            }
            finally
            {
                InterruptedDumpsRetried = retried;
            }
        }
    }

    private uint SendRequest<TState>(ushort type, NetlinkFlags flags, TState state, MessageBodyWriter<TState> body)
        where TState : notnull
    {
        var sequence = _socket.NextSequence();
        var writer = new NetlinkMessageWriter(_requestBuffer);
        var message = writer.BeginMessage(type, flags, sequence);
        body(ref writer, state);
        writer.EndMessage(message);
        _socket.Send(writer.Written);
        return sequence;
    }

    /// <summary>A batch must travel in one datagram, which the socket's send buffer must hold.</summary>
    private unsafe void EnsureSendBuffer(int bytes)
    {
        if (_sendBufferBytes == 0)
        {
            var current = 0;
            var length = (uint)sizeof(int);
            _sendBufferBytes = LibC.getsockopt(_socket.Fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, &current, (socklen_t*)&length) == 0 ? current : 1;
        }

        // The kernel refuses a datagram larger than the send buffer less 32 bytes (the default is about 208 KiB).
        if (bytes + 32 <= _sendBufferBytes)
        {
            return;
        }

        // The kernel doubles what it is given (for its bookkeeping), so asking for the batch size leaves room.
        var wanted = bytes + (64 * 1024);
        if (LibC.setsockopt(_socket.Fd, LibC.SOL_SOCKET, SoSndBufForce, &wanted, sizeof(int)) != 0
            && LibC.setsockopt(_socket.Fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, &wanted, sizeof(int)) != 0)
        {
            throw new NetlinkException(LibC.errno, $"setsockopt(SO_SNDBUF, {wanted}) for a {bytes}-byte nf_tables batch");
        }

        _sendBufferBytes = wanted;
    }

    /// <summary>Reads an <c>NLMSG_ERROR</c>: the errno, and with extended acks the text and the offset of the refused attribute.</summary>
    internal static (int Errno, string? Text, int? Offset) ParseAck(in NlMsgHdr header, ReadOnlySpan<byte> payload) =>
        NetlinkAck.Parse(header, payload);

    private static void ThrowIfMalformed(string? error, string what)
    {
        if (error is not null)
        {
            throw new NetlinkParseException($"reply to {what}: {error}");
        }
    }
}
