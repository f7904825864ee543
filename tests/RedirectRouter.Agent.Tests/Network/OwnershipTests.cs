using System.Net;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netlink.Model;
using System.Net.Sockets;

namespace RedirectRouter.Agent.Tests.Network;

/// <summary>Which policy rules are ours: our protocol and the planned shape, or (old kernels) an exact plan match.</summary>
public sealed class OwnershipTests
{
    private static readonly RoutingRule OurMark = new() { Family = AddressFamily.InterNetwork, Priority = 1001, FwMark = 0x2001, FwMask = uint.MaxValue, Table = 101, Protocol = 245 };
    private static readonly RoutingRule OurSource = new() { Family = AddressFamily.InterNetwork, Priority = 1100, Source = IPNetwork.Parse("192.0.2.10/32"), Table = 100, Protocol = 245 };

    public static TheoryData<string, RoutingRule> NotOurs => new()
    {
        { "no protocol (another daemon's twin)", OurMark with { Protocol = 0 } },
        { "our protocol, priority outside the range", OurMark with { Priority = 999 } },
        { "our protocol, mark of another home", OurMark with { FwMark = 0x2002 } },
        { "our protocol, table of another home", OurMark with { Table = 102 } },
        { "our protocol, partial mark mask", OurMark with { FwMask = 0x80 } },
        { "our protocol, lookup main", OurMark with { Table = 254 } },
        { "our protocol, an input interface", OurMark with { InputInterface = "eth1" } },
        { "our protocol, inverted", OurMark with { Invert = true } },
        { "our protocol, a destination", OurMark with { Destination = IPNetwork.Parse("10.0.0.0/8") } },
        { "our protocol, a source rule with a subnet", OurSource with { Source = IPNetwork.Parse("192.0.2.0/24") } },
        { "our protocol, a source rule with a mark", OurSource with { FwMark = 0x2000 } },
        { "AWS VPC CNI's rule", new RoutingRule { Family = AddressFamily.InterNetwork, Priority = 1024, FwMark = 0x80, FwMask = 0x80, Table = 254 } },
    };

    [Theory]
    [MemberData(nameof(NotOurs))]
    public void ARuleWithoutOurMarkOrShapeIsNeverOurs(string why, RoutingRule rule)
    {
        Assert.False(Ownership.IsOwnedRule(rule, kernelMarksRules: true, [KernelModelMapping.FromKernel(rule)]), why);
    }

    [Fact]
    public void AMarkedRuleOfThePlannedShapeIsOursEvenWhenNoLongerPlanned()
    {
        Assert.True(Ownership.IsOwnedRule(OurMark, kernelMarksRules: true, []));
        Assert.True(Ownership.IsOwnedRule(OurSource, kernelMarksRules: true, []));
        Assert.True(Ownership.IsOwnedRule(OurSource with { Family = AddressFamily.InterNetworkV6, Source = IPNetwork.Parse("2001:db8::10/128") }, kernelMarksRules: true, []));
    }

    [Fact]
    public void WithoutRuleMarksOnlyExactPlanMatchesAreOurs()
    {
        var unmarked = OurMark with { Protocol = null };
        var planned = new PolicyRule(1001, System.Net.Sockets.AddressFamily.InterNetwork, 0x2001, null, 101);

        Assert.True(Ownership.IsOwnedRule(unmarked, kernelMarksRules: false, [planned]));
        Assert.False(Ownership.IsOwnedRule(unmarked, kernelMarksRules: false, []));
        Assert.False(Ownership.IsOwnedRule(unmarked with { InputInterface = "eth1" }, kernelMarksRules: false, [planned]));
    }

    [Fact]
    public void RulesWeAddCarryOurProtocol()
    {
        Assert.Equal(Ownership.RuleProtocol, KernelModelMapping.ToKernel(new PolicyRule(1000, System.Net.Sockets.AddressFamily.InterNetwork, 0x2000, null, 100)).Protocol);
    }
}
