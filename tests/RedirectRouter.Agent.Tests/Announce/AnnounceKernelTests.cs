using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using RedirectRouter.Agent.Announce;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Agent.Tests.Announce;

/// <summary>A router namespace and another host on one segment (a veth pair), for ARP and NDP.</summary>
public sealed class AnnounceKernelTests
{
    private sealed class Segment : IDisposable
    {
        public Segment()
        {
            Router = TestNamespace.Create("arp-router");
            try
            {
                Other = TestNamespace.Create("arp-other");
                Router.Ip("link", "add", "eg0", "type", "veth", "peer", "name", "peer0", "netns", Other.Name);
                Router.Ip("link", "set", "eg0", "up");
                Other.Ip("link", "set", "peer0", "up");
                using var handle = NetlinkHandle.OpenIn(Router.Handle);
                var link = handle.LinkGetByName("eg0")!;
                Index = link.Index;
                Mac = link.MacAddress!;
            }
            catch
            {
                Other?.Dispose();
                Router.Dispose();
                throw;
            }
        }

        public TestNamespace Router { get; }

        public TestNamespace Other { get; } = null!;

        public int Index { get; }

        public PhysicalAddress Mac { get; }

        public string OtherMac => Other.IpJson("link", "show", "peer0")[0].GetProperty("address").GetString()!;

        public string? NeighborMac(string address) =>
            Other.IpJson("neigh", "show", address, "dev", "peer0").EnumerateArray()
                .Select(n => n.TryGetProperty("lladdr", out var mac) ? mac.GetString() : null)
                .FirstOrDefault();

        public void Dispose()
        {
            Other.Dispose();
            Router.Dispose();
        }
    }

    [Fact]
    public void ProbeFindsAHostThatAlreadyHoldsTheAddress()
    {
        using var segment = new Segment();
        segment.Other.Ip("addr", "add", "10.9.0.5/24", "dev", "peer0");

        var conflict = DuplicateAddressProbe.Probe(segment.Router.Handle, segment.Index, segment.Mac, IPAddress.Parse("10.9.0.5"), DuplicateAddressProbe.DefaultWindow);

        Assert.NotNull(conflict);
        Assert.False(conflict.WasProbing);
        Assert.Equal(segment.OtherMac, HardwareAddress.Format(conflict.OtherHost));
        Assert.Contains("already in use", conflict.ToString());
    }

    [Fact]
    public void ProbeOfAFreeAddressEndsAfterTheWindowWithoutConflict()
    {
        using var segment = new Segment();
        segment.Other.Ip("addr", "add", "10.9.0.5/24", "dev", "peer0");
        var watch = Stopwatch.StartNew();

        var conflict = DuplicateAddressProbe.Probe(segment.Router.Handle, segment.Index, segment.Mac, IPAddress.Parse("10.9.0.6"), TimeSpan.FromMilliseconds(150));

        Assert.Null(conflict);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(140), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void GratuitousArpMovesAStaleNeighbourEntryToOurMac()
    {
        using var segment = new Segment();
        segment.Other.Ip("addr", "add", "10.9.0.1/24", "dev", "peer0");
        // The real case: the egress IP moved here from another node, whose MAC the gateway still has.
        segment.Other.Ip("neigh", "replace", "10.9.0.7", "lladdr", "02:00:00:00:00:99", "dev", "peer0", "nud", "stale");
        segment.Router.Ip("addr", "add", "10.9.0.7/32", "dev", "eg0");

        AddressAnnouncer.Announce(segment.Router.Handle, segment.Index, segment.Mac, [IPAddress.Parse("10.9.0.7")]);

        Assert.Equal(HardwareAddress.Format(segment.Mac), WaitForNeighbor(segment, "10.9.0.7"));
    }

    [Fact]
    public void UnsolicitedNeighbourAdvertisementMovesAStaleIPv6EntryToOurMac()
    {
        using var segment = new Segment();
        segment.Other.Ip("addr", "add", "fd00:9::1/64", "dev", "peer0", "nodad");
        segment.Other.Ip("neigh", "replace", "fd00:9::7", "lladdr", "02:00:00:00:00:99", "dev", "peer0", "nud", "stale");
        segment.Router.Ip("addr", "add", "fd00:9::7/64", "dev", "eg0", "nodad");

        AddressAnnouncer.Announce(segment.Router.Handle, segment.Index, segment.Mac, [IPAddress.Parse("fd00:9::7")]);

        Assert.Equal(HardwareAddress.Format(segment.Mac), WaitForNeighbor(segment, "fd00:9::7"));
    }

    private static string? WaitForNeighbor(Segment segment, string address)
    {
        var expected = HardwareAddress.Format(segment.Mac);
        var deadline = DateTime.UtcNow.AddSeconds(2);
        string? seen;
        do
        {
            seen = segment.NeighborMac(address);
            if (seen == expected)
            {
                break;
            }

            Thread.Sleep(20);
        }
        while (DateTime.UtcNow < deadline);

        return seen;
    }
}
