using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>Routes of the main and home tables and the policy rules, each compared with the desired state when there is one.</summary>
internal static class RoutingReader
{
    /// <summary>Routes of the main table and the home tables; <c>matches</c> says whether the desired state has exactly the route.</summary>
    public static List<RouteFact> Routes(NetworkTables tables, IReadOnlyList<DesiredHome> homes, DesiredState? desired)
    {
        var names = tables.Links.ToDictionary(l => l.Index, l => l.Name);
        var tableNumbers = homes.Select(h => h.Table).Append(NetworkReader.MainTable).ToHashSet();
        var desiredRoutes = desired is null ? null : NetworkObserver.Normalize(desired.Network).Routes;
        return NetworkReader.Routes(tables).Where(r => tableNumbers.Contains(r.Table)).Select(r =>
        {
            var owned = r.Protocol == Ownership.RouteProtocol;
            bool? matches = null;
            if (desiredRoutes is not null && KernelModelMapping.FromKernel(r, names) is { } entry)
            {
                matches = desiredRoutes.Contains(entry) ? true
                    : owned || desiredRoutes.Any(d => d.Key == entry.Key) ? false : null;
            }
            else if (desiredRoutes is not null && owned)
            {
                matches = false;
            }

            return new RouteFact(r.Table, r.Destination, NetworkReader.Gateways(r).ToList(),
                NetworkReader.DeviceOf(r) is { } index ? names.GetValueOrDefault(index) : null, r.Protocol, r.PreferredSource, owned, matches);
        }).ToList();
    }

    /// <summary>Every policy rule of both families; those the agent owns are compared with the desired ones.</summary>
    public static List<RuleFact> Rules(NetworkTables tables, DesiredState? desired)
    {
        var desiredRules = desired?.Network.Rules;
        var rulesMarked = Ownership.KernelMarksRules(tables.Rules);
        return tables.Rules.Select(r =>
        {
            var owned = Ownership.IsOwnedRule(r, rulesMarked, desiredRules ?? []);
            bool? matches = desiredRules is null || !owned ? null : desiredRules.Contains(KernelModelMapping.FromKernel(r));
            var text = r.ToString();
            text = r.Priority is not null && text.IndexOf(": ", StringComparison.Ordinal) is var colon and > 0 ? text[(colon + 2)..] : text;
            return new RuleFact(r.Priority ?? 0, r.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4", text, r.Table, owned, matches);
        }).ToList();
    }
}
