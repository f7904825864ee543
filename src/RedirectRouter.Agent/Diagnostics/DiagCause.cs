namespace RedirectRouter.Agent.Diagnostics;

/// <summary>How bad a cause is. Both degrade the router (exit code 1); errors are ranked before warnings.</summary>
public enum CauseSeverity
{
    /// <summary>Traffic cannot get through (or some of it cannot).</summary>
    Error,

    /// <summary>A risk, or a sign that something outside the router is wrong.</summary>
    Warning,
}

/// <summary>One finding of the verdict: a stable code, what is wrong in plain words, and what to do next.</summary>
/// <param name="Code">The stable identifier (see <see cref="CauseCodes"/>); scripts may rely on it.</param>
/// <param name="Subject">What it is about (an interface, an address, a rule), for sorting and display.</param>
public sealed record DiagCause(string Code, CauseSeverity Severity, string Subject, string Summary, string NextStep);

/// <summary>
/// The cause codes, in ranking order: a cause earlier in the list explains the later ones (no macvlan
/// explains a missing address; a missing address explains a missing default route), so the first cause of
/// a report is the one to fix first. Errors always come before warnings.
/// </summary>
public static class CauseCodes
{
    /// <summary>The parent NIC of a home does not exist in the node's namespace.</summary>
    public const string ParentMissing = "parent-missing";

    /// <summary>The egress macvlan does not exist.</summary>
    public const string NoMacvlan = "no-macvlan";

    /// <summary>The parent NIC is down or has no carrier.</summary>
    public const string ParentDown = "parent-down";

    /// <summary>The macvlan itself is down (administratively, or no carrier).</summary>
    public const string MacvlanDown = "macvlan-down";

    /// <summary>An egress address is not on its interface.</summary>
    public const string EgressIpMissing = "egress-ip-missing";

    /// <summary>Another host answers for an egress address.</summary>
    public const string DuplicateEgressIp = "duplicate-egress-ip";

    /// <summary>The gateway does not answer (neighbour entry failed, or no answer to a probe).</summary>
    public const string GatewayUnreachable = "gateway-unreachable";

    /// <summary>The default route is missing or does not go via the gateway on the egress interface.</summary>
    public const string DefaultRouteWrong = "default-route-wrong";

    /// <summary>IP forwarding is off.</summary>
    public const string ForwardingOff = "ip-forwarding-off";

    /// <summary>Our NAT/filter rules are missing (or differ from the desired ones).</summary>
    public const string NatRulesMissing = "nat-rules-missing";

    /// <summary>A foreign rule takes the traffic before ours.</summary>
    public const string NatRulesShadowed = "nat-rules-shadowed";

    /// <summary>Other routes, rules or addresses differ from the desired state.</summary>
    public const string NetworkDrift = "network-drift";

    /// <summary>A strict reverse-path filter drops the replies of a destination.</summary>
    public const string ReversePathFilter = "rp-filter-drop";

    /// <summary>The egress MTU is smaller than the parent's (or the cluster side's).</summary>
    public const string MtuMismatch = "mtu-mismatch";

    /// <summary>The agent says it is not ready.</summary>
    public const string AgentNotReady = "agent-not-ready";

    /// <summary>The agent's endpoint does not answer.</summary>
    public const string AgentUnreachable = "agent-unreachable";

    /// <summary>The rules are in place but no packet ever matched them: clients are not reaching the router.</summary>
    public const string NoTraffic = "no-traffic";

    /// <summary>Every code in ranking order.</summary>
    public static IReadOnlyList<string> Ranked { get; } =
    [
        ParentMissing, NoMacvlan, ParentDown, MacvlanDown, EgressIpMissing, DuplicateEgressIp, GatewayUnreachable,
        DefaultRouteWrong, ForwardingOff, NatRulesMissing, NatRulesShadowed, NetworkDrift, ReversePathFilter, MtuMismatch,
        AgentNotReady, AgentUnreachable, NoTraffic,
    ];

    /// <summary>The position of <paramref name="code"/> in the ranking.</summary>
    public static int RankOf(string code)
    {
        for (var i = 0; i < Ranked.Count; i++)
        {
            if (Ranked[i] == code)
            {
                return i;
            }
        }

        return Ranked.Count;
    }
}
