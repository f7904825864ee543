using System.Net;
using RedirectRouter.Netlink.NfTables;
using RedirectRouter.TestSupport;
using static RedirectRouter.Netlink.Tests.NfTables.NftWitness;

namespace RedirectRouter.Netlink.Tests.NfTables;

/// <summary>Element changes and reads over NETLINK_NETFILTER in fresh namespaces, with <c>nft -j list</c> as the witness.</summary>
public sealed class NfTablesKernelTests
{
    private static NfMapElement Port(byte protocol, ushort port, string address, ushort target) =>
        new(new NfPortKey(protocol, port), NfMapValue.To(IPAddress.Parse(address), target));

    private static NfMapElement Range(byte protocol, ushort first, ushort last, string address) =>
        new(new NfPortKey(protocol, first, last), NfMapValue.To(IPAddress.Parse(address)));

    private static NfMapElement Mark(byte protocol, ushort first, ushort last, uint mark) =>
        new(new NfPortKey(protocol, first, last), NfMapValue.WithMark(mark));

    private static TestNamespace Prepared(string purpose)
    {
        var ns = TestNamespace.Create(purpose);
        try
        {
            Load(ns, Ruleset);
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    [Fact]
    public void ElementsAreAddedReplacedAndDeletedInThePortRangeAndMarkMaps()
    {
        using var ns = Prepared("nft-elements");
        using var nft = NfTablesHandle.OpenIn(ns.Handle);
        NfMapElement[] ports = [Port(NfPortKey.Tcp, 8080, "10.0.0.5", 80), Port(NfPortKey.Udp, 53, "10.0.0.9", 5353)];
        NfMapElement[] ports6 = [Port(NfPortKey.Tcp, 443, "fd00::5", 8443)];
        NfMapElement[] ranges = [Range(NfPortKey.Udp, 9000, 9010, "10.0.0.6"), Range(NfPortKey.Tcp, 20000, 20000, "10.0.0.7")];
        NfMapElement[] ranges6 = [Range(NfPortKey.Tcp, 3000, 3999, "fd00::7")];
        NfMapElement[] marks = [Mark(NfPortKey.Tcp, 7000, 7001, 0x10), Mark(NfPortKey.Udp, 53, 53, 0x20)];
        nft.Commit(new NfTablesBatch().ElementsAdd(Ports, ports).ElementsAdd(Ports6, ports6).ElementsAdd(Ranges, ranges).ElementsAdd(Ranges6, ranges6).ElementsAdd(Marks, marks));

        Assert.Equal(Expected(ports), Values(ns, Ports));
        Assert.Equal(Expected(ports6), Values(ns, Ports6));
        Assert.Equal(Expected(ranges), Values(ns, Ranges));
        Assert.Equal(Expected(ranges6), Values(ns, Ranges6));
        Assert.Equal(Expected(marks), Values(ns, Marks));
        Assert.Equal(ranges6.ToHashSet(), nft.ElementsList(Ranges6).Select(e => e.Element).ToHashSet());
        Assert.Equal(ports.ToHashSet(), nft.ElementsList(Ports).Select(e => e.Element).ToHashSet());
        Assert.Equal(ports6.ToHashSet(), nft.ElementsList(Ports6).Select(e => e.Element).ToHashSet());
        Assert.Equal(ranges.ToHashSet(), nft.ElementsList(Ranges).Select(e => e.Element).ToHashSet());
        Assert.Equal(marks.ToHashSet(), nft.ElementsList(Marks).Select(e => e.Element).ToHashSet());
        Assert.All(nft.ElementsList(Marks), e => Assert.Null(e.Counter));
        Assert.All(nft.ElementsList(Ranges), e => Assert.NotNull(e.Counter));

        // Replace: new values for existing keys, in every map kind.
        NfMapElement[] newPorts = [Port(NfPortKey.Tcp, 8080, "10.0.0.50", 8000)];
        NfMapElement[] newRanges = [Range(NfPortKey.Udp, 9000, 9010, "10.0.0.60")];
        NfMapElement[] newMarks = [Mark(NfPortKey.Tcp, 7000, 7001, 0x11)];
        nft.Commit(new NfTablesBatch().ElementsReplace(Ports, newPorts).ElementsReplace(Ranges, newRanges).ElementsReplace(Marks, newMarks));
        Assert.Equal(Expected([newPorts[0], ports[1]]), Values(ns, Ports));
        Assert.Equal(Expected([newRanges[0], ranges[1]]), Values(ns, Ranges));
        Assert.Equal(Expected([newMarks[0], marks[1]]), Values(ns, Marks));

        // Adding an identical element again is no error (nft add element); creating it is.
        nft.ElementsAdd(Ports, [ports[1]]);
        var exists = Assert.Throws<NetlinkException>(() => nft.ElementsCreate(Ports, [ports[1]]));
        Assert.True(exists.IsAlreadyExists, exists.Message);

        nft.ElementsDelete(Ports, [newPorts[0].Key, ports[1].Key]);
        nft.ElementsDelete(Ranges, ranges.Select(r => r.Key));
        nft.ElementsDelete(Marks, [marks[1].Key]);
        nft.ElementsDelete(Ports6, [ports6[0].Key]);
        nft.ElementsDelete(Ranges6, [ranges6[0].Key]);
        Assert.Empty(Values(ns, Ranges6));
        Assert.Empty(Values(ns, Ports));
        Assert.Empty(Values(ns, Ranges));
        Assert.Empty(Values(ns, Ports6));
        Assert.Equal(Expected([newMarks[0]]), Values(ns, Marks));
        Assert.Empty(nft.ElementsList(Ports));

        var missing = Assert.Throws<NetlinkException>(() => nft.ElementsDelete(Ports, [new NfPortKey(NfPortKey.Tcp, 8080)]));
        Assert.True(missing.IsNotFound, missing.Message);
        Assert.Contains("tcp . 8080", missing.Message);
    }

    [Fact]
    public void CountersReadNativelyEqualWhatNftShows()
    {
        using var ns = Prepared("nft-counters");
        Load(ns, """
            add element ip redirect_router dnat_ports { tcp . 8080 counter packets 5 bytes 300 : 10.0.0.5 . 80, udp . 53 counter packets 123456789 bytes 98765432109 : 10.0.0.9 . 5353 }
            add element ip redirect_router dnat_ranges { udp . 9000-9010 counter packets 7 bytes 700 : 10.0.0.6 }

            """);
        using var nft = NfTablesHandle.OpenIn(ns.Handle);
        foreach (var map in new[] { Ports, Ranges })
        {
            var witness = Map(ns, map);
            var native = nft.ElementsList(map);
            Assert.Equal(witness.Count, native.Count);
            foreach (var entry in native)
            {
                Assert.Equal(witness[entry.Key.ToString()].Counter, entry.Counter);
            }
        }

        Assert.Equal(new NfCounter(123456789, 98765432109), nft.ElementsList(Ports).Single(e => e.Key.Protocol == NfPortKey.Udp).Counter);
    }

    [Fact]
    public void ABatchTheKernelRejectsChangesNothingAndTheErrorNamesTheElement()
    {
        using var ns = Prepared("nft-atomic");
        using var nft = NfTablesHandle.OpenIn(ns.Handle);
        var existing = Port(NfPortKey.Tcp, 1000, "10.0.0.1", 1000);
        nft.ElementsAdd(Ports, [existing]);
        string State() => string.Join(" | ", new[] { Ports, Ranges, Marks }.Select(m => string.Join(", ", Values(ns, m).OrderBy(e => e.Key, StringComparer.Ordinal))));
        var before = State();

        // Valid additions to three maps, then the delete of a range that is not there: ENOENT, and nothing applies.
        var batch = new NfTablesBatch()
            .ElementsAdd(Ports, [Port(NfPortKey.Tcp, 1001, "10.0.0.1", 1001), Port(NfPortKey.Udp, 1002, "10.0.0.1", 1002)])
            .ElementsAdd(Marks, [Mark(NfPortKey.Tcp, 1, 2, 3)])
            .ElementsDelete(Ranges, [new NfPortKey(NfPortKey.Udp, 9999, 10001)])
            .ElementsAdd(Ranges, [Range(NfPortKey.Tcp, 5000, 5100, "10.0.0.2")]);
        var e = Assert.Throws<NetlinkException>(() => nft.Commit(batch));
        Assert.True(e.IsNotFound, e.Message);
        Assert.Contains("delete element ip redirect_router dnat_ranges { udp . 9999-10001 }", e.Message);
        Assert.Contains("not applied", e.Message);
        Assert.Equal(before, State());

        // The refused element is found inside a message of many: the third of five, created where it exists.
        var create = new NfTablesBatch().ElementsCreate(Ports,
        [
            Port(NfPortKey.Tcp, 2001, "10.0.0.1", 1), Port(NfPortKey.Tcp, 2002, "10.0.0.1", 2), existing,
            Port(NfPortKey.Tcp, 2004, "10.0.0.1", 4), Port(NfPortKey.Tcp, 2005, "10.0.0.1", 5),
        ]);
        e = Assert.Throws<NetlinkException>(() => nft.Commit(create));
        Assert.True(e.IsAlreadyExists, e.Message);
        Assert.True(e.Message.Contains("create element ip redirect_router dnat_ports { tcp . 1000 : 10.0.0.1 . 1000 } (element 3 of 5)", StringComparison.Ordinal), e.Message);
        Assert.DoesNotContain("2004", e.Message);
        Assert.Equal(before, State());

        // A value of the wrong shape for the kernel's map (an IPv6 table's map addressed as IPv4) is refused too.
        var wrongFamily = new NfMap(NfFamily.Ip, "redirect_router", "no_such_map", NfMapKind.Ports);
        e = Assert.Throws<NetlinkException>(() => nft.Commit(new NfTablesBatch().ElementsAdd(Ports, [Port(NfPortKey.Tcp, 3000, "10.0.0.3", 3)]).ElementsAdd(wrongFamily, [existing])));
        Assert.True(e.IsNotFound, e.Message);
        Assert.Equal(before, State());
    }

    [Fact]
    public void ABatchForAStaleGenerationIsRefusedAndChangesNothing()
    {
        using var ns = Prepared("nft-genid");
        using var nft = NfTablesHandle.OpenIn(ns.Handle);
        var generation = nft.GenerationGet();
        Assert.Equal(generation.Id, nft.GenerationGet().Id);

        // Someone else commits in between.
        Nft(ns, "add", "element", "ip", "redirect_router", "dnat_ports", "{ tcp . 1 : 10.0.0.1 . 1 }");
        var after = nft.GenerationGet();
        Assert.NotEqual(generation.Id, after.Id);

        var batch = new NfTablesBatch().ElementsAdd(Ports, [Port(NfPortKey.Tcp, 2, "10.0.0.2", 2)]);
        var e = Assert.Throws<NetlinkException>(() => nft.Commit(batch, generation.Id));
        Assert.True(NfTablesHandle.IsGenerationConflict(e), e.Message);
        Assert.Contains($"generation {generation.Id}", e.Message);
        Assert.Equal(Expected([Port(NfPortKey.Tcp, 1, "10.0.0.1", 1)]), Values(ns, Ports));

        nft.Commit(batch, after.Id);
        Assert.Equal(2, Values(ns, Ports).Count);
        Assert.NotEqual(after.Id, nft.GenerationGet().Id);
    }

    [Fact]
    public void ForeignTablesAndTheirSetsAreNeverTouched()
    {
        using var ns = Prepared("nft-foreign");
        // Same map names in a foreign table, the same table name in another family, and a foreign plain set.
        Load(ns, """
            table ip foreign {
            	map dnat_ports { type inet_proto . inet_service : ipv4_addr . inet_service; counter; elements = { tcp . 8080 : 192.0.2.1 . 80 } }
            	map dnat_ranges { type inet_proto . inet_service : ipv4_addr; flags interval; elements = { udp . 9000-9010 : 192.0.2.2 } }
            	set blocked { type ipv4_addr; elements = { 192.0.2.9 } }
            }
            table inet redirect_router {
            	map dnat_ports { type inet_proto . inet_service : ipv4_addr . inet_service; elements = { tcp . 8080 : 192.0.2.3 . 80 } }
            }

            """);
        string Foreign() => Nft(ns, "-j", "list", "table", "ip", "foreign") + Nft(ns, "-j", "list", "table", "inet", "redirect_router");
        var before = Foreign();
        using var nft = NfTablesHandle.OpenIn(ns.Handle);
        nft.ElementsAdd(Ports, [Port(NfPortKey.Tcp, 8080, "10.0.0.5", 80)]);
        nft.ElementsAdd(Ranges, [Range(NfPortKey.Udp, 9000, 9010, "10.0.0.6")]);
        nft.ElementsReplace(Ports, [Port(NfPortKey.Tcp, 8080, "10.0.0.7", 81)]);
        Assert.Single(nft.ElementsList(Ports));
        nft.ElementsDelete(Ports, [new NfPortKey(NfPortKey.Tcp, 8080)]);
        nft.ElementsDelete(Ranges, [new NfPortKey(NfPortKey.Udp, 9000, 9010)]);
        Assert.Throws<NetlinkException>(() => nft.ElementsDelete(Ports, [new NfPortKey(NfPortKey.Tcp, 8080)]));
        Assert.Empty(nft.ElementsList(Ports));
        Assert.Empty(nft.ElementsList(Ranges));
        Assert.Equal(before, Foreign());
        Assert.DoesNotContain(nft.ChainsList(NfFamily.Ip, "redirect_router"), c => c.Table != "redirect_router");
    }

    [Fact]
    public void ChainsAndRulesAreListedWithTheHandlesNftShows()
    {
        using var ns = Prepared("nft-chains");
        using var nft = NfTablesHandle.OpenIn(ns.Handle);
        var chains = nft.ChainsList(NfFamily.Ip, "redirect_router");
        Assert.Equal(["dnat_rules", "mark_homes"], chains.Select(c => c.Name).Order());
        var dnat = chains.Single(c => c.Name == "dnat_rules");
        Assert.Equal(("nat", 0u, -100), (dnat.Type, dnat.Hook, dnat.Priority));
        Assert.Equal(-150, chains.Single(c => c.Name == "mark_homes").Priority);

        using var document = System.Text.Json.JsonDocument.Parse(Nft(ns, "-j", "-a", "list", "table", "ip", "redirect_router"));
        var items = document.RootElement.GetProperty("nftables").EnumerateArray().ToArray();
        var chainHandles = items.Where(i => i.TryGetProperty("chain", out _)).ToDictionary(i => i.GetProperty("chain").GetProperty("name").GetString()!, i => i.GetProperty("chain").GetProperty("handle").GetUInt64());
        Assert.Equal(chainHandles, chains.ToDictionary(c => c.Name, c => c.Handle));
        var ruleHandles = items.Where(i => i.TryGetProperty("rule", out _)).Select(i => (i.GetProperty("rule").GetProperty("chain").GetString(), i.GetProperty("rule").GetProperty("handle").GetUInt64())).Order().ToArray();

        var rules = nft.RulesList(NfFamily.Ip, "redirect_router");
        Assert.Equal(ruleHandles, rules.Select(r => ((string?)r.Chain, r.Handle)).Order().ToArray());
        var dnatRules = nft.RulesList(NfFamily.Ip, "redirect_router", "dnat_rules");
        Assert.Equal(["dnat_ports", "dnat_ranges"], dnatRules.SelectMany(r => r.Lookups));
        Assert.All(dnatRules, r => Assert.Equal(new NfCounter(0, 0), r.Counter));
        Assert.Empty(nft.RulesList(NfFamily.Ip6, "redirect_router"));

        // A rule dump filtered by a missing table is empty; an element dump of a missing map is an error.
        Assert.Empty(nft.RulesList(NfFamily.Ip, "no_such_table"));
        var missing = Assert.Throws<NetlinkException>(() => nft.ElementsList(Ports with { Name = "no_such_map" }));
        Assert.True(missing.IsNotFound, missing.Message);
        Assert.Contains("no_such_map", missing.Message);
    }

    [Fact]
    public void TenThousandElementsGoInOneTransactionAndReadBack()
    {
        using var ns = Prepared("nft-10k");
        using var nft = NfTablesHandle.OpenIn(ns.Handle);
        var elements = Enumerable.Range(0, 10_000)
            .Select(i => Port(i % 2 == 0 ? NfPortKey.Tcp : NfPortKey.Udp, (ushort)(10_000 + i / 2), $"10.1.{i / 250}.{1 + i % 250}", (ushort)(1 + i)))
            .ToArray();
        nft.ElementsAdd(Ports, elements);
        Assert.Equal(Expected(elements), Values(ns, Ports));
        var read = nft.ElementsList(Ports);
        Assert.Equal(elements.ToHashSet(), read.Select(e => e.Element).ToHashSet());

        var changed = elements[4321] with { Value = NfMapValue.To(IPAddress.Parse("10.9.9.9"), 9) };
        nft.ElementsReplace(Ports, [changed]);
        var after = Values(ns, Ports);
        Assert.Equal(10_000, after.Count);
        Assert.Equal("10.9.9.9 . 9", after[changed.Key.ToString()]);

        nft.ElementsDelete(Ports, elements.Select(e => e.Key));
        Assert.Empty(Values(ns, Ports));

        // One element refused in a later message of a large batch: it is named, and none of the 10,000 applies.
        nft.ElementsAdd(Ports, [elements[7000]]);
        var e = Assert.Throws<NetlinkException>(() => nft.ElementsCreate(Ports, elements));
        Assert.True(e.IsAlreadyExists, e.Message);
        Assert.True(e.Message.Contains($"{{ {elements[7000]} }} (element 7001 of 10000)", StringComparison.Ordinal), e.Message);
        Assert.Equal(Expected([elements[7000]]), Values(ns, Ports));
    }

    [Fact]
    public void ChangeEventsOfOurBatchesCarryOurPortId()
    {
        using var ns = Prepared("nft-events");
        using var nft = NfTablesHandle.OpenIn(ns.Handle);
        using var monitor = ns.Handle.Run(() => NetlinkSocket.Open(12));
        monitor.JoinGroup(7);
        monitor.SetReceiveTimeout(TimeSpan.FromSeconds(5));
        nft.ElementsAdd(Ports, [Port(NfPortKey.Tcp, 1, "10.0.0.1", 1)]);
        Nft(ns, "add", "element", "ip", "redirect_router", "dnat_ports", "{ tcp . 2 : 10.0.0.1 . 2 }");

        var buffer = new byte[64 * 1024];
        var ports = new List<(ushort Type, uint PortId)>();
        while (ports.Count(p => p.Type == 0x0a0f) < 2)
        {
            var length = monitor.Receive(buffer);
            var reader = new Protocol.NetlinkMessageReader(buffer.AsSpan(0, length));
            while (reader.TryRead(out var header, out _))
            {
                ports.Add((header.Type, header.PortId));
            }
        }

        // Ours: the element event and the generation event, both stamped with our socket's port id; nft's carry another.
        var newGen = ports.Where(p => p.Type == 0x0a0f).ToArray();
        Assert.Equal(nft.PortId, newGen[0].PortId);
        Assert.NotEqual(nft.PortId, newGen[1].PortId);
        Assert.Equal(nft.PortId, ports.First(p => p.Type == 0x0a0c).PortId);
    }
}
