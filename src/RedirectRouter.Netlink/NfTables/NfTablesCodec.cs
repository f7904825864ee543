using System.Buffers.Binary;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Protocol;
using static RedirectRouter.Netlink.NfTables.NfTablesProtocol;

namespace RedirectRouter.Netlink.NfTables;

/// <summary>
/// Encodes the nf_tables requests we send and decodes the replies we read, attribute by attribute as nft
/// (libnftnl) lays them out. Decoders throw only <see cref="NetlinkParseException"/>.
/// </summary>
internal static class NfTablesCodec
{
    /// <summary>Bytes of element attributes per message: the list is one nested attribute, whose length is 16 bits.</summary>
    internal const int MaxElementBytesPerMessage = 60 * 1024;

    private const int KeyBytes = 8;

    /// <summary>One message of an encoded batch, to match acknowledgements and errors to operations and elements.</summary>
    internal readonly record struct BatchMessage(uint Sequence, int Operation, int FirstElement, int Count, int Start, int Length);

    /// <summary>Where the parts of an encoded batch are.</summary>
    internal sealed record BatchLayout(uint BeginSequence, uint EndSequence, IReadOnlyList<BatchMessage> Messages, int Length);

    /// <summary>Why <paramref name="element"/> cannot go into <paramref name="map"/>, or null when it fits.</summary>
    internal static string? Validate(NfMap map, NfMapElement element, bool keyOnly)
    {
        var key = element.Key;
        if (key.Last < key.First)
        {
            return "the range ends before it starts";
        }

        if (map.Kind == NfMapKind.Ports && !key.IsSinglePort)
        {
            return "a hash map takes single ports only";
        }

        if (keyOnly)
        {
            return null;
        }

        var value = element.Value;
        return map.Kind switch
        {
            NfMapKind.Ports when !value.HasAddress || value.Port == 0 => "the value must be an address and a port",
            NfMapKind.Ranges when !value.HasAddress || value.Port != 0 => "the value must be an address without a port",
            NfMapKind.Ports or NfMapKind.Ranges when value.AddressLength != map.AddressLength =>
                $"the address must be {(map.AddressLength == 4 ? "IPv4" : "IPv6")} in an {map.Family.Keyword()} table",
            NfMapKind.Marks when value.HasAddress => "the value must be a mark",
            _ => null,
        };
    }

    /// <summary>The bytes one element takes in a request.</summary>
    internal static int ElementSize(NfMap map, bool keyOnly)
    {
        const int key = NlAttr.Size + NlAttr.Size + KeyBytes;
        var size = NlAttr.Size + key + (map.IsInterval ? key : 0);
        return keyOnly ? size : size + NlAttr.Size + NlAttr.Size + NetlinkAlignment.Align(map.DataLength);
    }

    /// <summary>An upper bound of the encoded size of <paramref name="batch"/>.</summary>
    internal static int MaxBatchBytes(NfTablesBatch batch)
    {
        var total = 2 * (NlMsgHdr.Size + NfGenMsg.Size + 8);
        foreach (var operation in batch.Operations)
        {
            var keyOnly = operation.Verb == NfElementVerb.Delete;
            var size = ElementSize(operation.Map, keyOnly);
            var perMessage = MaxElementBytesPerMessage / size;
            var messages = (operation.Elements.Count + perMessage - 1) / perMessage;
            var header = NlMsgHdr.Size + NfGenMsg.Size + NlAttr.Size * 3
                + NetlinkAlignment.Align(operation.Map.Table.Length * 4 + 1) + NetlinkAlignment.Align(operation.Map.Name.Length * 4 + 1);
            total += messages * header + operation.Elements.Count * size;
        }

        return total;
    }

    /// <summary>
    /// Writes the whole batch: <c>NFNL_MSG_BATCH_BEGIN</c> (with the expected generation when given), the element
    /// messages (an operation with many elements is split across messages), <c>NFNL_MSG_BATCH_END</c>.
    /// </summary>
    internal static BatchLayout EncodeBatch(Span<byte> buffer, NfTablesBatch batch, Func<uint> nextSequence, bool ack, uint? generation)
    {
        var writer = new NetlinkMessageWriter(buffer);
        var begin = nextSequence();
        WriteBatchMarker(ref writer, BatchBegin, begin, generation);
        var messages = new List<BatchMessage>();
        for (var o = 0; o < batch.Operations.Count; o++)
        {
            var operation = batch.Operations[o];
            var keyOnly = operation.Verb == NfElementVerb.Delete;
            var perMessage = MaxElementBytesPerMessage / ElementSize(operation.Map, keyOnly);
            for (var first = 0; first < operation.Elements.Count; first += perMessage)
            {
                var count = Math.Min(perMessage, operation.Elements.Count - first);
                var sequence = nextSequence();
                var start = writer.Length;
                var (type, flags) = operation.Verb switch
                {
                    NfElementVerb.Add => (MsgNewSetElem, NetlinkFlags.Request | NetlinkFlags.Create),
                    NfElementVerb.Create => (MsgNewSetElem, NetlinkFlags.Request | NetlinkFlags.Create | NetlinkFlags.Exclusive),
                    _ => (MsgDelSetElem, NetlinkFlags.Request),
                };
                var message = writer.BeginMessage(Type(type), ack ? flags | NetlinkFlags.Ack : flags, sequence);
                WriteElements(ref writer, operation.Map, operation.Elements, first, count, keyOnly);
                writer.EndMessage(message);
                messages.Add(new BatchMessage(sequence, o, first, count, start, writer.Length - start));
            }
        }

        var end = nextSequence();
        WriteBatchMarker(ref writer, BatchEnd, end, null);
        return new BatchLayout(begin, end, messages, writer.Length);
    }

    /// <summary>Writes <c>NFNL_MSG_BATCH_BEGIN</c> or <c>_END</c>: <c>res_id</c> names the nf_tables subsystem.</summary>
    internal static void WriteBatchMarker(ref NetlinkMessageWriter writer, ushort type, uint sequence, uint? generation)
    {
        var message = writer.BeginMessage(type, NetlinkFlags.Request, sequence);
        WriteGenMsg(ref writer, NfFamily.Unspecified, SubsystemNfTables);
        if (generation is { } id)
        {
            WriteAttributeBigEndian(ref writer, BatchGenerationId, id);
        }

        writer.EndMessage(message);
    }

    /// <summary>The body of a NEWSETELEM/DELSETELEM: <c>nfgenmsg</c>, table, set, and the element list.</summary>
    internal static void WriteElements(ref NetlinkMessageWriter writer, NfMap map, IReadOnlyList<NfMapElement> elements, int first, int count, bool keyOnly)
    {
        WriteGenMsg(ref writer, map.Family, 0);
        writer.WriteAttributeString(SetElemListTable, map.Table);
        writer.WriteAttributeString(SetElemListSet, map.Name);
        var list = writer.BeginNested((ushort)Nested | SetElemListElements);
        Span<byte> data = stackalloc byte[20];
        for (var i = first; i < first + count; i++)
        {
            var element = elements[i];
            // libnftnl numbers the entries of the list 1, 2, 3, ...; the kernel reads any type, and so we match nft.
            var item = writer.BeginNested((ushort)(Nested | (i - first + 1)));
            WriteKey(ref writer, SetElemKey, element.Key.Protocol, element.Key.First);
            if (map.IsInterval)
            {
                WriteKey(ref writer, SetElemKeyEnd, element.Key.Protocol, element.Key.Last);
            }

            if (!keyOnly)
            {
                var length = WriteData(map, element.Value, data);
                var nested = writer.BeginNested((ushort)Nested | SetElemData);
                writer.WriteAttribute(DataValue, data[..length]);
                writer.EndNested(nested);
            }

            writer.EndNested(item);
        }

        writer.EndNested(list);
    }

    /// <summary>The body of a GETSETELEM dump of one map (the set name first, as nft sends it).</summary>
    internal static void WriteGetElements(ref NetlinkMessageWriter writer, NfMap map)
    {
        WriteGenMsg(ref writer, map.Family, 0);
        writer.WriteAttributeString(SetElemListSet, map.Name);
        writer.WriteAttributeString(SetElemListTable, map.Table);
    }

    /// <summary>The body of a GETRULE dump of one table, or of one chain of it.</summary>
    internal static void WriteGetRules(ref NetlinkMessageWriter writer, NfFamily family, string table, string? chain)
    {
        WriteGenMsg(ref writer, family, 0);
        writer.WriteAttributeString(RuleTable, table);
        if (chain is not null)
        {
            writer.WriteAttributeString(RuleChain, chain);
        }
    }

    /// <summary>The body of a GETCHAIN dump of a family (the kernel filters chain dumps by family only).</summary>
    internal static void WriteGetChains(ref NetlinkMessageWriter writer, NfFamily family) => WriteGenMsg(ref writer, family, 0);

    /// <summary>The body of GETGEN.</summary>
    internal static void WriteGetGeneration(ref NetlinkMessageWriter writer) => WriteGenMsg(ref writer, NfFamily.Unspecified, 0);

    /// <summary>Decodes one GETSETELEM reply into <paramref name="into"/>; a reply for another set is skipped.</summary>
    internal static void DecodeElements(ReadOnlySpan<byte> payload, NfMap map, List<NfMapEntry> into)
    {
        var attributes = AttributesOf(payload, "set element list");
        var reader = new NetlinkAttributeReader(attributes);
        ReadOnlySpan<byte> elements = default;
        while (reader.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case SetElemListSet when NetlinkAttributeReader.ReadString(value) != map.Name:
                case SetElemListTable when NetlinkAttributeReader.ReadString(value) != map.Table:
                    return;
                case SetElemListElements:
                    elements = value;
                    break;
            }
        }

        ThrowIf(reader.Error, "set element list");
        var list = new NetlinkAttributeReader(elements);
        while (list.TryRead(out var type, out var value))
        {
            if (type == ListElem)
            {
                into.Add(DecodeElement(value, map));
            }
        }

        ThrowIf(list.Error, "set element list");
    }

    private static NfMapEntry DecodeElement(ReadOnlySpan<byte> attributes, NfMap map)
    {
        NfPortKey? key = null;
        (byte Protocol, ushort Port)? keyEnd = null;
        NfMapValue? value = null;
        NfCounter? counter = null;
        uint flags = 0;
        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out var type, out var payload))
        {
            switch (type)
            {
                case SetElemKey:
                    var (protocol, port) = ReadKey(payload, "element key");
                    key = new NfPortKey(protocol, port);
                    break;
                case SetElemKeyEnd:
                    keyEnd = ReadKey(payload, "element key end");
                    break;
                case SetElemData:
                    value = ReadData(payload, map);
                    break;
                case SetElemFlags:
                    flags = ReadUInt32BigEndian(payload, "element flags");
                    break;
                case SetElemExpr:
                    counter ??= ReadCounterExpression(payload);
                    break;
                case SetElemExpressions:
                    var list = new NetlinkAttributeReader(payload);
                    while (list.TryRead(out var itemType, out var item))
                    {
                        if (itemType == ListElem)
                        {
                            counter ??= ReadCounterExpression(item);
                        }
                    }

                    ThrowIf(list.Error, "element expressions");
                    break;
            }
        }

        ThrowIf(reader.Error, "set element");
        if ((flags & SetElemCatchAll) != 0)
        {
            throw new NetlinkParseException($"map {map} holds a catch-all element, which none of our maps has");
        }

        if ((flags & SetElemIntervalEnd) != 0)
        {
            throw new NetlinkParseException($"map {map} holds an interval end element; our interval maps are concatenations with closing keys");
        }

        if (key is not { } start)
        {
            throw new NetlinkParseException($"an element of map {map} has no key");
        }

        if (keyEnd is { } end)
        {
            if (end.Protocol != start.Protocol || end.Port < start.First)
            {
                throw new NetlinkParseException($"an element of map {map} has the range {start} to {end.Protocol} . {end.Port}");
            }

            start = start with { Last = end.Port };
        }
        else if (map.IsInterval)
        {
            throw new NetlinkParseException($"an element of interval map {map} has no closing key");
        }

        if (value is not { } data)
        {
            throw new NetlinkParseException($"element {start} of map {map} has no data");
        }

        return new NfMapEntry(start, data, counter);
    }

    /// <summary>Decodes one GETCHAIN reply; null when it belongs to another table than <paramref name="table"/>.</summary>
    internal static NfChain? DecodeChain(ReadOnlySpan<byte> payload, string? table)
    {
        var header = NetlinkMessageReader.ReadHeader<NfGenMsg>(payload, "chain");
        var reader = new NetlinkAttributeReader(AttributesOf(payload, "chain"));
        string? chainTable = null, name = null, type = null;
        ulong? handle = null;
        uint? hook = null, policy = null;
        int? priority = null;
        uint use = 0;
        while (reader.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case ChainTable: chainTable = NetlinkAttributeReader.ReadString(value); break;
                case ChainName: name = NetlinkAttributeReader.ReadString(value); break;
                case ChainHandle: handle = ReadUInt64BigEndian(value, "chain handle"); break;
                case ChainType: type = NetlinkAttributeReader.ReadString(value); break;
                case ChainPolicy: policy = ReadUInt32BigEndian(value, "chain policy"); break;
                case ChainUse: use = ReadUInt32BigEndian(value, "chain use"); break;
                case ChainHook:
                    var hookReader = new NetlinkAttributeReader(value);
                    while (hookReader.TryRead(out var hookAttribute, out var hookValue))
                    {
                        if (hookAttribute == HookNumber)
                        {
                            hook = ReadUInt32BigEndian(hookValue, "hook number");
                        }
                        else if (hookAttribute == HookPriority)
                        {
                            priority = unchecked((int)ReadUInt32BigEndian(hookValue, "hook priority"));
                        }
                    }

                    ThrowIf(hookReader.Error, "chain hook");
                    break;
            }
        }

        ThrowIf(reader.Error, "chain");
        if (chainTable is null || name is null || handle is null)
        {
            throw new NetlinkParseException("a chain lacks its table, name or handle");
        }

        if (table is not null && chainTable != table)
        {
            return null;
        }

        return new NfChain((NfFamily)header.Family, chainTable, name, handle.Value)
        {
            Type = type, Hook = hook, Priority = priority, Policy = policy, Use = use,
        };
    }

    /// <summary>Decodes one GETRULE reply.</summary>
    internal static NfRule DecodeRule(ReadOnlySpan<byte> payload)
    {
        var header = NetlinkMessageReader.ReadHeader<NfGenMsg>(payload, "rule");
        var reader = new NetlinkAttributeReader(AttributesOf(payload, "rule"));
        string? table = null, chain = null;
        ulong? handle = null;
        var expressions = new List<string>();
        var lookups = new List<string>();
        NfCounter? counter = null;
        while (reader.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case RuleTable: table = NetlinkAttributeReader.ReadString(value); break;
                case RuleChain: chain = NetlinkAttributeReader.ReadString(value); break;
                case RuleHandle: handle = ReadUInt64BigEndian(value, "rule handle"); break;
                case RuleExpressions:
                    var list = new NetlinkAttributeReader(value);
                    while (list.TryRead(out var itemType, out var item))
                    {
                        if (itemType != ListElem)
                        {
                            continue;
                        }

                        var name = ReadExpression(item, out var data);
                        expressions.Add(name);
                        if (name == "counter")
                        {
                            counter ??= ReadCounter(data);
                        }
                        else if (name == "lookup")
                        {
                            var lookup = new NetlinkAttributeReader(data);
                            while (lookup.TryRead(out var lookupType, out var lookupValue))
                            {
                                if (lookupType == LookupSet)
                                {
                                    lookups.Add(NetlinkAttributeReader.ReadString(lookupValue));
                                }
                            }

                            ThrowIf(lookup.Error, "lookup expression");
                        }
                    }

                    ThrowIf(list.Error, "rule expressions");
                    break;
            }
        }

        ThrowIf(reader.Error, "rule");
        if (table is null || chain is null || handle is null)
        {
            throw new NetlinkParseException("a rule lacks its table, chain or handle");
        }

        return new NfRule((NfFamily)header.Family, table, chain, handle.Value) { Expressions = expressions, Lookups = lookups, Counter = counter };
    }

    /// <summary>Decodes the NEWGEN reply to GETGEN.</summary>
    internal static NfGeneration DecodeGeneration(ReadOnlySpan<byte> payload)
    {
        var reader = new NetlinkAttributeReader(AttributesOf(payload, "generation"));
        uint? id = null, pid = null;
        string? name = null;
        while (reader.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case GenId: id = ReadUInt32BigEndian(value, "generation id"); break;
                case GenProcessId: pid = ReadUInt32BigEndian(value, "generation process id"); break;
                case GenProcessName: name = NetlinkAttributeReader.ReadString(value); break;
            }
        }

        ThrowIf(reader.Error, "generation");
        return id is { } generation ? new NfGeneration(generation, pid, name) : throw new NetlinkParseException("the generation reply has no NFTA_GEN_ID");
    }

    /// <summary>
    /// Which element of an element message (0-based, within the message) contains byte <paramref name="offset"/>
    /// (counted from the message header, as <c>NLMSGERR_ATTR_OFFS</c> is); null when the offset is not inside one.
    /// </summary>
    internal static int? ElementAtOffset(ReadOnlySpan<byte> message, int offset)
    {
        var position = NlMsgHdr.Size + NfGenMsg.Size;
        if (message.Length < position)
        {
            return null;
        }

        var reader = new NetlinkAttributeReader(message[position..]);
        while (reader.TryRead(out var type, out var value))
        {
            var valueStart = position + NlAttr.Size;
            if (type == SetElemListElements)
            {
                var items = new NetlinkAttributeReader(value);
                var itemStart = valueStart;
                var index = 0;
                while (items.TryRead(out _, out var item))
                {
                    var itemEnd = itemStart + NlAttr.Size + item.Length;
                    if (offset >= itemStart && offset < itemEnd)
                    {
                        return index;
                    }

                    itemStart += NetlinkAlignment.Align(NlAttr.Size + item.Length);
                    index++;
                }

                return null;
            }

            position = valueStart + NetlinkAlignment.Align(value.Length);
        }

        return null;
    }

    private static void WriteGenMsg(ref NetlinkMessageWriter writer, NfFamily family, ushort resourceId) =>
        writer.WriteStruct(new NfGenMsg { Family = (byte)family, Version = 0, ResourceIdBigEndian = BinaryPrimitives.ReverseEndianness(resourceId) });

    private static void WriteAttributeBigEndian(ref NetlinkMessageWriter writer, ushort type, uint value)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        writer.WriteAttribute(type, payload);
    }

    /// <summary>A concatenated key: the protocol byte padded to 4, then the port (network order) padded to 4.</summary>
    private static void WriteKey(ref NetlinkMessageWriter writer, ushort type, byte protocol, ushort port)
    {
        Span<byte> key = stackalloc byte[KeyBytes];
        key.Clear();
        key[0] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(key[4..], port);
        var nested = writer.BeginNested((ushort)(Nested | type));
        writer.WriteAttribute(DataValue, key);
        writer.EndNested(nested);
    }

    /// <summary>The data value: address (network order) with the port padded to 4, the address alone, or the mark in host order.</summary>
    private static int WriteData(NfMap map, NfMapValue value, Span<byte> target)
    {
        target.Clear();
        switch (map.Kind)
        {
            case NfMapKind.Ports:
                var length = value.WriteAddress(target);
                BinaryPrimitives.WriteUInt16BigEndian(target[length..], value.Port);
                return length + 4;
            case NfMapKind.Ranges:
                return value.WriteAddress(target);
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(target, value.Mark);
                return 4;
        }
    }

    private static (byte Protocol, ushort Port) ReadKey(ReadOnlySpan<byte> nested, string what)
    {
        var value = ReadDataValue(nested, what);
        if (value.Length != KeyBytes)
        {
            throw new NetlinkParseException($"{what}: {value.Length} bytes, but inet_proto . inet_service takes {KeyBytes}");
        }

        return (value[0], BinaryPrimitives.ReadUInt16BigEndian(value[4..]));
    }

    private static NfMapValue ReadData(ReadOnlySpan<byte> nested, NfMap map)
    {
        var value = ReadDataValue(nested, "element data");
        if (value.Length != map.DataLength)
        {
            throw new NetlinkParseException($"element data: {value.Length} bytes, but map {map} ({map.Kind}) holds {map.DataLength}");
        }

        return map.Kind switch
        {
            NfMapKind.Ports => NfMapValue.FromAddressBytes(value[..map.AddressLength], BinaryPrimitives.ReadUInt16BigEndian(value[map.AddressLength..])),
            NfMapKind.Ranges => NfMapValue.FromAddressBytes(value, 0),
            _ => NfMapValue.WithMark(BinaryPrimitives.ReadUInt32LittleEndian(value)),
        };
    }

    private static ReadOnlySpan<byte> ReadDataValue(ReadOnlySpan<byte> nested, string what)
    {
        var reader = new NetlinkAttributeReader(nested);
        while (reader.TryRead(out var type, out var value))
        {
            if (type == DataValue)
            {
                return value;
            }
        }

        ThrowIf(reader.Error, what);
        throw new NetlinkParseException($"{what}: no NFTA_DATA_VALUE");
    }

    private static string ReadExpression(ReadOnlySpan<byte> expression, out ReadOnlySpan<byte> data)
    {
        string? name = null;
        data = default;
        var reader = new NetlinkAttributeReader(expression);
        while (reader.TryRead(out var type, out var value))
        {
            if (type == ExprName)
            {
                name = NetlinkAttributeReader.ReadString(value);
            }
            else if (type == ExprData)
            {
                data = value;
            }
        }

        ThrowIf(reader.Error, "expression");
        return name ?? throw new NetlinkParseException("an expression has no name");
    }

    private static NfCounter? ReadCounterExpression(ReadOnlySpan<byte> expression)
    {
        var name = ReadExpression(expression, out var data);
        return name == "counter" ? ReadCounter(data) : null;
    }

    private static NfCounter ReadCounter(ReadOnlySpan<byte> data)
    {
        ulong packets = 0, bytes = 0;
        var reader = new NetlinkAttributeReader(data);
        while (reader.TryRead(out var type, out var value))
        {
            if (type == CounterPackets)
            {
                packets = ReadUInt64BigEndian(value, "counter packets");
            }
            else if (type == CounterBytes)
            {
                bytes = ReadUInt64BigEndian(value, "counter bytes");
            }
        }

        ThrowIf(reader.Error, "counter");
        return new NfCounter(packets, bytes);
    }

    private static ReadOnlySpan<byte> AttributesOf(ReadOnlySpan<byte> payload, string what)
    {
        _ = NetlinkMessageReader.ReadHeader<NfGenMsg>(payload, what);
        return NetlinkMessageReader.AttributesAfter<NfGenMsg>(payload);
    }

    private static uint ReadUInt32BigEndian(ReadOnlySpan<byte> payload, string what) =>
        payload.Length >= 4
            ? BinaryPrimitives.ReadUInt32BigEndian(payload)
            : throw new NetlinkParseException($"{what}: expected 4 bytes, got {payload.Length}");

    private static ulong ReadUInt64BigEndian(ReadOnlySpan<byte> payload, string what) =>
        payload.Length >= 8
            ? BinaryPrimitives.ReadUInt64BigEndian(payload)
            : throw new NetlinkParseException($"{what}: expected 8 bytes, got {payload.Length}");

    private static void ThrowIf(string? error, string what)
    {
        if (error is not null)
        {
            throw new NetlinkParseException($"{what}: {error}");
        }
    }
}
