using RedirectRouter.Core.Planning;
using System.Net.Sockets;
using NlRule = RedirectRouter.Netlink.Model.RoutingRule;

namespace RedirectRouter.Agent.Network;

/// <summary>
/// How the agent recognises the kernel objects it made, so it repairs and removes only its own (the marks are
/// listed in docs/security.md, "Ownership marks"):
/// <list type="bullet">
/// <item>links: the alias <see cref="LinkAlias"/>, set in the same request that gives a new macvlan its name;</item>
/// <item>routes: the protocol <see cref="RouteProtocol"/>, on one of our links (or in one of our tables);</item>
/// <item>policy rules: the protocol <see cref="RuleProtocol"/> (FRA_PROTOCOL, kernel 4.17+) and the planner's exact
/// shape (priority, table and selector belong together); on older kernels only rules equal to the plan's.</item>
/// </list>
/// </summary>
public static class Ownership
{
    /// <summary>The alias set on every macvlan the agent creates (<c>ip link show</c> prints it).</summary>
    public const string LinkAlias = "redirect-router";

    /// <summary>The route protocol (<c>proto 245</c> in <c>ip route</c>) of every route the agent adds.</summary>
    public const byte RouteProtocol = 245;

    /// <summary>The rule protocol (<c>protocol 245</c> in <c>ip rule</c>) of every policy rule the agent adds (the same number).</summary>
    public const byte RuleProtocol = RouteProtocol;

    /// <summary>Whether the kernel reports rule protocols (4.17+): it then puts FRA_PROTOCOL in every rule it dumps.</summary>
    public static bool KernelMarksRules(IEnumerable<NlRule> dump) => dump.Any(r => r.Protocol is not null);

    /// <summary>
    /// Whether <paramref name="rule"/> is ours: it carries our protocol and has the shape of a planned rule; where the
    /// kernel cannot mark rules, it must equal one of <paramref name="planned"/> (a rule of another plan is then left alone).
    /// </summary>
    public static bool IsOwnedRule(NlRule rule, bool kernelMarksRules, IReadOnlyCollection<PolicyRule> planned)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(planned);
        if (!HasPlannedShape(rule))
        {
            return false;
        }
        return kernelMarksRules ? rule.Protocol == RuleProtocol : planned.Contains(KernelModelMapping.FromKernel(rule));
    }

    /// <summary>
    /// Whether a rule looks like one the planner makes for home i: priority 1000+i with fwmark 0x2000+i, or priority
    /// 1100+i from one host address, looking up table 100+i, with no other selector.
    /// </summary>
    public static bool HasPlannedShape(NlRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Priority is not { } priority || rule.Invert || rule.Destination is not null || rule.InputInterface is not null
            || rule.OutputInterface is not null || rule.Action != NlRule.LookUpTableAction)
        {
            return false;
        }
        if (priority is >= Planner.FwmarkRulePriority and < Planner.FwmarkRulePriority + 100)
        {
            var home = priority - Planner.FwmarkRulePriority;
            return rule.Source is null && rule.FwMark == Planner.FirstMark + home && rule.FwMask is null or uint.MaxValue
                && rule.Table == Planner.FirstHomeTable + home;
        }
        if (priority is >= Planner.SourceRulePriority and < Planner.SourceRulePriority + 100)
        {
            var home = priority - Planner.SourceRulePriority;
            var hostLength = rule.Family == AddressFamily.InterNetworkV6 ? 128 : 32;
            return rule.FwMark is null && rule.Source is { } source && source.PrefixLength == hostLength
                && rule.Table == Planner.FirstHomeTable + home;
        }
        return false;
    }
}
