using RedirectRouter.Netlink.Codec;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;
using AddressFamily = System.Net.Sockets.AddressFamily;

namespace RedirectRouter.Netlink;

public sealed partial class NetlinkHandle
{
    /// <summary>Lists the policy rules of one family. Equivalent to <c>ip [-6] rule show</c>.</summary>
    public IReadOnlyList<RoutingRule> RuleList(AddressFamily family) =>
        Dump(RtmType.GetRule, WireFamily.Of(family), static (ref w, f) => RuleCodec.WriteDump(ref w, f), RuleCodec.Decode);

    /// <summary>Adds a policy rule; EEXIST if an identical one exists. Equivalent to <c>ip rule add ...</c>.</summary>
    public void RuleAdd(RoutingRule rule) =>
        Execute(RtmType.NewRule, NetlinkFlags.Create | NetlinkFlags.Exclusive, rule, static (ref w, r) => RuleCodec.Write(ref w, r));

    /// <summary>Deletes a policy rule; ENOENT if absent. Equivalent to <c>ip rule del ...</c>.</summary>
    public void RuleDelete(RoutingRule rule) =>
        Execute(RtmType.DelRule, NetlinkFlags.None, rule, static (ref w, r) => RuleCodec.Write(ref w, r));
}
