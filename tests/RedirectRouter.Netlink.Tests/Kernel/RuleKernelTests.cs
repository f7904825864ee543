using System.Net;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netlink.Tests.Kernel;

public sealed class RuleKernelTests
{
    [Fact]
    public void FwMarkAndFromPrefixRulesAreAddedListedAndDeleted()
    {
        using var ns = TestNamespace.Create("rule");
        using var handle = NetlinkHandle.OpenIn(ns.Handle);
        var byMark = new RoutingRule { Family = System.Net.Sockets.AddressFamily.InterNetwork, Priority = 1000, FwMark = 0x10, FwMask = 0xff, Table = 100 };
        var bySource = new RoutingRule { Family = System.Net.Sockets.AddressFamily.InterNetwork, Priority = 1001, Source = IPNetwork.Parse("192.168.12.99/32"), Table = 101 };
        var v6 = new RoutingRule { Family = System.Net.Sockets.AddressFamily.InterNetworkV6, Priority = 1002, Source = IPNetwork.Parse("fd00:12::/64"), Table = 102 };
        handle.RuleAdd(byMark);
        handle.RuleAdd(bySource);
        handle.RuleAdd(v6);

        var witness = ns.IpJson("rule", "show").EnumerateArray().ToArray();
        var mark = witness.Single(r => r.GetProperty("priority").GetInt32() == 1000);
        Assert.Equal("0x10", mark.GetProperty("fwmark").GetString());
        Assert.Equal("0xff", mark.GetProperty("fwmask").GetString());
        Assert.Equal("100", mark.GetProperty("table").GetString());
        var source = witness.Single(r => r.GetProperty("priority").GetInt32() == 1001);
        Assert.Equal("192.168.12.99", source.GetProperty("src").GetString());
        Assert.Equal("101", source.GetProperty("table").GetString());
        Assert.Equal("fd00:12::", ns.IpJson("-6", "rule", "show").EnumerateArray().Single(r => r.GetProperty("priority").GetInt32() == 1002).GetProperty("src").GetString());

        var listed = handle.RuleList(System.Net.Sockets.AddressFamily.InterNetwork);
        Assert.Contains(listed, r => r.Priority == 1000 && r.FwMark == 0x10 && r.FwMask == 0xff && r.Table == 100);
        Assert.Contains(listed, r => r.Priority == 1001 && r.Source == IPNetwork.Parse("192.168.12.99/32") && r.Table == 101);

        Assert.Equal(Errors.EEXIST, Assert.Throws<NetlinkException>(() => handle.RuleAdd(byMark)).Errno);

        handle.RuleDelete(byMark);
        handle.RuleDelete(bySource);
        handle.RuleDelete(v6);
        Assert.DoesNotContain(ns.IpJson("rule", "show").EnumerateArray(), r => r.GetProperty("priority").GetInt32() is 1000 or 1001);
        var missing = Assert.Throws<NetlinkException>(() => handle.RuleDelete(byMark));
        Assert.Equal(Errors.ENOENT, missing.Errno);
        Assert.True(missing.IsNotFound);
    }

    [Fact]
    public void TheRuleProtocolIsWrittenReadBackAndLimitsADeleteToRulesThatCarryIt()
    {
        using var ns = TestNamespace.Create("ruleproto");
        using var handle = NetlinkHandle.OpenIn(ns.Handle);
        // Another daemon's rule, identical but for the protocol, written by iproute2.
        ns.Ip("rule", "add", "priority", "1001", "fwmark", "0x2001", "lookup", "101");
        var ours = new RoutingRule { Family = System.Net.Sockets.AddressFamily.InterNetwork, Priority = 1001, FwMark = 0x2001, Table = 101, Protocol = 245 };

        handle.RuleAdd(ours);

        var witness = ns.IpJson("rule", "show").EnumerateArray().Where(r => r.GetProperty("priority").GetInt32() == 1001).ToArray();
        Assert.Equal(2, witness.Length);
        Assert.Single(witness, r => r.TryGetProperty("protocol", out var p) && p.GetString() == "245");
        var listed = handle.RuleList(System.Net.Sockets.AddressFamily.InterNetwork);
        Assert.All(listed, r => Assert.NotNull(r.Protocol)); // 4.17+: every dumped rule says who made it
        Assert.Single(listed, r => r.Priority == 1001 && r.Protocol == 245);
        Assert.Single(listed, r => r.Priority == 1001 && r.Protocol == 0);

        handle.RuleDelete(ours);
        // A second delete finds no rule of our protocol: the foreign twin is not taken instead.
        Assert.True(Assert.Throws<NetlinkException>(() => handle.RuleDelete(ours)).IsNotFound);
        var remaining = handle.RuleList(System.Net.Sockets.AddressFamily.InterNetwork).Where(r => r.Priority == 1001).ToArray();
        Assert.Single(remaining);
        Assert.Equal((byte)0, remaining[0].Protocol);
    }
}
