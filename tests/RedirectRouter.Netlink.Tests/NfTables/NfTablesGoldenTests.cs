using System.Net;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.NfTables;
using RedirectRouter.Netlink.Protocol;
using RedirectRouter.Netlink.Tests.Codec;

namespace RedirectRouter.Netlink.Tests.NfTables;

/// <summary>
/// Every nf_tables message we send, byte for byte against what nft 1.0.6 sent for the same operation on this
/// kernel (TestData/*.txt, recorded by TestData/capture.sh; each file names its nft command). The only
/// difference allowed is the one <see cref="NftCapture.WithoutAttribute"/> documents. Replies nft received are
/// decoded by our decoders and checked against what nft printed.
/// </summary>
public sealed class NfTablesGoldenTests
{
    private const ushort SetId = 4;
    private static readonly NfMap Ports = new(NfFamily.Ip, "redirect_router", "dnat_ports", NfMapKind.Ports);
    private static readonly NfMap Ports6 = new(NfFamily.Ip6, "redirect_router", "dnat_ports", NfMapKind.Ports);
    private static readonly NfMap Ranges = new(NfFamily.Ip, "redirect_router", "dnat_ranges", NfMapKind.Ranges);
    private static readonly NfMap Marks = new(NfFamily.Ip, "redirect_router", "home_marks", NfMapKind.Marks);

    private static NfMapElement Port(byte protocol, ushort port, string address, ushort target) =>
        new(new NfPortKey(protocol, port), NfMapValue.To(IPAddress.Parse(address), target));

    /// <summary>Our batch, numbered from 0 as nft numbers its batch, without acks (nft asks for none), as separate messages.</summary>
    private static List<string> Encode(NfTablesBatch batch, uint? generation = null)
    {
        var buffer = new byte[NfTablesCodec.MaxBatchBytes(batch)];
        var sequence = 0u;
        var layout = NfTablesCodec.EncodeBatch(buffer, batch, () => sequence++, ack: false, generation);
        var messages = new List<string>();
        var reader = new NetlinkMessageReader(buffer.AsSpan(0, layout.Length));
        while (reader.TryRead(out var header, out _))
        {
            var start = messages.Sum(m => (m.Length / 2 + 3) & ~3);
            messages.Add(Hex.Format(buffer.AsSpan(start, (int)header.Length)));
        }

        Assert.Null(reader.Error);
        return messages;
    }

    private static void AssertBatch(string capture, NfTablesBatch batch)
    {
        var expected = NftCapture.Load(capture).Batch().Select(m => Hex.Format(NftCapture.WithoutAttribute(m, SetId))).ToList();
        Assert.Equal(expected, Encode(batch));
    }

    private static string Request<T>(ushort type, NetlinkFlags flags, T state, MessageBodyWriter<T> body)
    {
        var buffer = new byte[1024];
        var writer = new NetlinkMessageWriter(buffer);
        var message = writer.BeginMessage(type, flags, 0);
        body(ref writer, state);
        writer.EndMessage(message);
        return Hex.Format(writer.Written);
    }

    [Fact]
    public void AddToPortMap() => AssertBatch("add-port-ip", new NfTablesBatch().ElementsAdd(Ports,
        [Port(NfPortKey.Tcp, 8080, "10.0.0.5", 80), Port(NfPortKey.Udp, 53, "10.0.0.9", 5353)]));

    [Fact]
    public void AddToIPv6PortMap() => AssertBatch("add-port-ip6", new NfTablesBatch().ElementsAdd(Ports6,
        [Port(NfPortKey.Tcp, 443, "fd00::5", 8443)]));

    [Fact]
    public void AddToRangeMap() => AssertBatch("add-range", new NfTablesBatch().ElementsAdd(Ranges,
        [new NfMapElement(new NfPortKey(NfPortKey.Udp, 9000, 9010), NfMapValue.To(IPAddress.Parse("10.0.0.6")))]));

    [Fact]
    public void AddToMarkMap() => AssertBatch("add-mark", new NfTablesBatch().ElementsAdd(Marks,
        [new NfMapElement(new NfPortKey(NfPortKey.Tcp, 7000, 7001), NfMapValue.WithMark(0x10))]));

    [Fact]
    public void CreateInPortMap() => AssertBatch("create-port", new NfTablesBatch().ElementsCreate(Ports,
        [Port(NfPortKey.Tcp, 8080, "10.0.0.5", 80)]));

    [Fact]
    public void DeleteFromPortMap() => AssertBatch("delete-port", new NfTablesBatch().ElementsDelete(Ports, [new NfPortKey(NfPortKey.Tcp, 8080)]));

    [Fact]
    public void DeleteFromRangeMap() => AssertBatch("delete-range", new NfTablesBatch().ElementsDelete(Ranges, [new NfPortKey(NfPortKey.Udp, 9000, 9010)]));

    [Fact]
    public void ReplaceInPortMapIsDeleteThenAddInOneBatch() => AssertBatch("replace-port", new NfTablesBatch().ElementsReplace(Ports,
        [Port(NfPortKey.Tcp, 8080, "10.0.0.7", 81)]));

    [Fact]
    public void ElementDumpRequest()
    {
        var expected = NftCapture.Load("list-set").SentOfType(0x0a0d);
        Assert.Equal(Hex.Format(expected), Request(0x0a0d, NetlinkFlags.Request | NetlinkFlags.Dump, Ports, static (ref w, m) => NfTablesCodec.WriteGetElements(ref w, m)));
    }

    [Fact]
    public void GenerationRequest()
    {
        var expected = NftCapture.Load("list-set").Sent[0];
        Assert.Equal(0x0a10, NftCapture.TypeOf(expected));
        Assert.Equal(Hex.Format(expected), Request(0x0a10, NetlinkFlags.Request, 0, static (ref w, _) => NfTablesCodec.WriteGetGeneration(ref w)));
    }

    [Fact]
    public void RuleDumpRequestOfOneChain()
    {
        var expected = NftCapture.Load("list-chain").SentOfType(0x0a07);
        Assert.Equal(Hex.Format(expected), Request(0x0a07, NetlinkFlags.Request | NetlinkFlags.Dump, 0,
            static (ref w, _) => NfTablesCodec.WriteGetRules(ref w, NfFamily.Ip, "redirect_router", "dnat_rules")));
    }

    [Fact]
    public void RuleDumpRequestOfOneTable()
    {
        var expected = NftCapture.Load("list-table").SentOfType(0x0a07);
        Assert.Equal(Hex.Format(expected), Request(0x0a07, NetlinkFlags.Request | NetlinkFlags.Dump, 0,
            static (ref w, _) => NfTablesCodec.WriteGetRules(ref w, NfFamily.Ip, "redirect_router", null)));
    }

    [Fact]
    public void ChainDumpRequest()
    {
        // nft dumps the chains of every family; we ask for one, so the family byte is the only difference.
        var expected = NftCapture.Load("list-table").SentOfType(0x0a04);
        Assert.Equal(Hex.Format(expected), Request(0x0a04, NetlinkFlags.Request | NetlinkFlags.Dump, 0,
            static (ref w, _) => NfTablesCodec.WriteGetChains(ref w, NfFamily.Unspecified)));
        expected[16] = (byte)NfFamily.Ip;
        Assert.Equal(Hex.Format(expected), Request(0x0a04, NetlinkFlags.Request | NetlinkFlags.Dump, 0,
            static (ref w, _) => NfTablesCodec.WriteGetChains(ref w, NfFamily.Ip)));
    }

    [Fact]
    public void BatchBeginWithGenerationCarriesNfnlBatchGenid()
    {
        // nft 1.0.6 sends no generation in its batch, so this one is laid out by hand from nfnetlink.h:
        // nlmsghdr, nfgenmsg (AF_UNSPEC, v0, res_id = htons(NFNL_SUBSYS_NFTABLES)), NFNL_BATCH_GENID (be32).
        var messages = Encode(new NfTablesBatch().ElementsDelete(Ports, [new NfPortKey(NfPortKey.Tcp, 8080)]), generation: 0x01020304);
        Assert.Equal(Hex.Format(Hex.Parse("1c000000 1000 0100 00000000 00000000 00 00 000a 0800 0100 01020304")), messages[0]);
        Assert.Equal(Hex.Format(NftCapture.Load("delete-port").Batch()[1]), messages[1]);
    }

    [Fact]
    public void AcknowledgedBatchDiffersOnlyInTheAckFlag()
    {
        var batch = new NfTablesBatch().ElementsDelete(Ports, [new NfPortKey(NfPortKey.Tcp, 8080)]);
        var buffer = new byte[NfTablesCodec.MaxBatchBytes(batch)];
        var sequence = 0u;
        var layout = NfTablesCodec.EncodeBatch(buffer, batch, () => sequence++, ack: true, null);
        var expected = NftCapture.Load("delete-port").Batch().SelectMany(m => m).ToArray();
        expected[20 + 6] |= (byte)NetlinkFlags.Ack;
        Assert.Equal(Hex.Format(expected), Hex.Format(buffer.AsSpan(0, layout.Length)));
    }

    [Fact]
    public void DecodesThePortMapDumpNftReceived()
    {
        var entries = new List<NfMapEntry>();
        foreach (var reply in NftCapture.Load("list-set").ReceivedOfType(0x0a0c))
        {
            NfTablesCodec.DecodeElements(reply.AsSpan(16), Ports, entries);
        }

        var entry = Assert.Single(entries);
        Assert.Equal(Port(NfPortKey.Tcp, 8080, "10.0.0.5", 80), entry.Element);
        Assert.Equal(new NfCounter(0, 0), entry.Counter);
        Assert.Equal("tcp . 8080 counter packets 0 bytes 0 : 10.0.0.5 . 80", entry.ToString());
    }

    [Fact]
    public void DecodesTheRangeMapDumpNftReceived()
    {
        var entries = new List<NfMapEntry>();
        foreach (var reply in NftCapture.Load("list-range-set").ReceivedOfType(0x0a0c))
        {
            NfTablesCodec.DecodeElements(reply.AsSpan(16), Ranges, entries);
        }

        var entry = Assert.Single(entries);
        Assert.Equal(new NfPortKey(NfPortKey.Udp, 9000, 9010), entry.Key);
        Assert.Equal("10.0.0.6", entry.Value.ToString());
        Assert.NotNull(entry.Counter);
    }

    [Fact]
    public void DecodesTheChainRuleAndGenerationNftReceived()
    {
        var capture = NftCapture.Load("list-chain");
        var chain = NfTablesCodec.DecodeChain(Assert.Single(capture.ReceivedOfType(0x0a03)).AsSpan(16), "redirect_router");
        Assert.NotNull(chain);
        Assert.Equal(("dnat_rules", "nat", 0u, -100, 1u), (chain.Name, chain.Type, chain.Hook, chain.Priority, chain.Policy));
        Assert.Null(NfTablesCodec.DecodeChain(capture.ReceivedOfType(0x0a03)[0].AsSpan(16), "other_table"));

        var rule = NfTablesCodec.DecodeRule(Assert.Single(capture.ReceivedOfType(0x0a06)).AsSpan(16));
        Assert.Equal(("redirect_router", "dnat_rules"), (rule.Table, rule.Chain));
        Assert.True(rule.Handle > 0);
        Assert.Equal(["dnat_ports"], rule.Lookups);
        Assert.Contains("counter", rule.Expressions);
        Assert.Contains("nat", rule.Expressions);
        Assert.Equal(new NfCounter(0, 0), rule.Counter);

        var generation = NfTablesCodec.DecodeGeneration(capture.ReceivedOfType(0x0a0f)[0].AsSpan(16));
        Assert.Equal("nft", generation.ProcessName);
    }

    [Fact]
    public void LargeOperationsAreSplitAcrossMessagesOfOneBatch()
    {
        var elements = Enumerable.Range(1, 10_000).Select(p => Port(NfPortKey.Tcp, (ushort)p, "10.0.0.1", 80)).ToArray();
        var batch = new NfTablesBatch().ElementsAdd(Ports, elements);
        var buffer = new byte[NfTablesCodec.MaxBatchBytes(batch)];
        var sequence = 0u;
        var layout = NfTablesCodec.EncodeBatch(buffer, batch, () => sequence++, ack: true, null);
        Assert.True(layout.Messages.Count > 1);
        Assert.Equal(10_000, layout.Messages.Sum(m => m.Count));
        Assert.All(layout.Messages, m => Assert.True(m.Length < 65_535));
        var reader = new NetlinkMessageReader(buffer.AsSpan(0, layout.Length));
        var count = 0;
        while (reader.TryRead(out _, out _))
        {
            count++;
        }

        Assert.Null(reader.Error);
        Assert.Equal(layout.Messages.Count + 2, count);
    }

    [Fact]
    public void ElementAtOffsetFindsTheElementAnErrorPointsAt()
    {
        var batch = new NfTablesBatch().ElementsAdd(Ports, [Port(NfPortKey.Tcp, 1, "10.0.0.1", 1), Port(NfPortKey.Tcp, 2, "10.0.0.1", 2), Port(NfPortKey.Tcp, 3, "10.0.0.1", 3)]);
        var buffer = new byte[NfTablesCodec.MaxBatchBytes(batch)];
        var sequence = 0u;
        var layout = NfTablesCodec.EncodeBatch(buffer, batch, () => sequence++, ack: true, null);
        var message = buffer.AsSpan(layout.Messages[0].Start, layout.Messages[0].Length);
        // Header 16, nfgenmsg 4, table 20, set 16, list header 4: the first element starts at 60 and each takes 36.
        Assert.Equal(0, NfTablesCodec.ElementAtOffset(message, 60));
        Assert.Equal(1, NfTablesCodec.ElementAtOffset(message, 96));
        Assert.Equal(2, NfTablesCodec.ElementAtOffset(message, 96 + 36 + 5));
        Assert.Null(NfTablesCodec.ElementAtOffset(message, 20));
        Assert.Null(NfTablesCodec.ElementAtOffset(message, 10_000));
    }

    [Fact]
    public void ElementsThatDoNotFitTheMapAreRefusedBeforeAnythingIsSent()
    {
        var e = Assert.Throws<ArgumentException>(() => new NfTablesBatch().ElementsAdd(Ports, [Port(NfPortKey.Tcp, 1, "fd00::1", 1)]));
        Assert.Contains("tcp . 1 : fd00::1 . 1", e.Message);
        Assert.Contains("IPv4", e.Message);
        Assert.Throws<ArgumentException>(() => new NfTablesBatch().ElementsAdd(Ports, [new NfMapElement(new NfPortKey(6, 1, 5), NfMapValue.To(IPAddress.Loopback, 1))]));
        Assert.Throws<ArgumentException>(() => new NfTablesBatch().ElementsAdd(Ranges, [Port(NfPortKey.Tcp, 1, "10.0.0.1", 1)]));
        Assert.Throws<ArgumentException>(() => new NfTablesBatch().ElementsAdd(Marks, [Port(NfPortKey.Tcp, 1, "10.0.0.1", 1)]));
        Assert.Throws<ArgumentException>(() => new NfTablesBatch().ElementsDelete(Ranges, [new NfPortKey(6, 9, 5)]));
    }
}
