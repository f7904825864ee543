using RedirectRouter.Core.Planning;

namespace RedirectRouter.Agent.Network;

/// <summary>How the agent recognises the kernel objects it made, so it repairs and removes only its own.</summary>
public static class Ownership
{
    /// <summary>The alias set on every macvlan the agent creates (<c>ip link show</c> prints it).</summary>
    public const string LinkAlias = "redirect-router";

    /// <summary>The route protocol (<c>proto 245</c> in <c>ip route</c>) of every route the agent adds.</summary>
    public const byte RouteProtocol = 245;

    /// <summary>Policy rules in this priority range belong to the agent.</summary>
    public static bool IsOwnedRulePriority(uint priority) =>
        priority >= Planner.FwmarkRulePriority && priority < Planner.SourceRulePriority + 100;
}
