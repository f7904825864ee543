using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Planning;

/// <summary>
/// Compares the desired network state with the observed one (only what the agent owns) and lists the
/// actions that make them equal, in a safe order: links that must be re-made are deleted first; then
/// things are created before they are used (links, addresses, routes, rules); deletions come last,
/// rules before routes before addresses before links. Pure: applying is the agent's job.
/// </summary>
public static class StateDiffer
{
    /// <summary>The actions that turn <paramref name="observed"/> into <paramref name="desired"/>; empty when they agree.</summary>
    public static ValueList<ReconcileAction> Diff(NetworkState desired, NetworkState observed)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(observed);
        var recreate = new List<ReconcileAction>();
        var linkSetup = new List<ReconcileAction>();
        var remade = new HashSet<string>(StringComparer.Ordinal);

        var observedLinks = observed.Links.ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var link in desired.Links)
        {
            if (!observedLinks.TryGetValue(link.Name, out var current))
            {
                linkSetup.Add(link.Origin == LinkOrigin.Adopt ? new AdoptedLinkMissing(link.Name) : new CreateLink(link));
                remade.Add(link.Name);
                continue;
            }
            if (link.Origin == LinkOrigin.Create && MustRecreate(link, current))
            {
                recreate.Add(new DeleteLink(current));
                linkSetup.Add(new CreateLink(link));
                remade.Add(link.Name);
                continue;
            }
            if (link.Mtu is { } mtu && current.Mtu != mtu)
            {
                linkSetup.Add(new SetLinkMtu(link.Name, mtu));
            }
            if (!current.Up)
            {
                linkSetup.Add(new SetLinkUp(link.Name));
            }
        }

        // What lived on a deleted or absent link is gone, whatever was observed.
        var observedAddresses = observed.Addresses.Where(a => !remade.Contains(a.Interface)).ToHashSet();
        var observedRoutes = observed.Routes.Where(r => !remade.Contains(r.Interface)).ToList();

        var addAddresses = desired.Addresses.Where(a => !observedAddresses.Contains(a)).Select(a => (ReconcileAction)new AddAddress(a));
        var deleteAddresses = observedAddresses.Where(a => !desired.Addresses.Contains(a)).Select(a => (ReconcileAction)new DeleteAddress(a));

        var routeChanges = new List<ReconcileAction>();
        foreach (var route in desired.Routes)
        {
            var current = observedRoutes.FirstOrDefault(r => r.Key == route.Key);
            if (current is null)
            {
                routeChanges.Add(new AddRoute(route));
            }
            else if (current != route)
            {
                routeChanges.Add(new ReplaceRoute(route));
            }
        }
        var desiredRouteKeys = desired.Routes.Select(r => r.Key).ToHashSet();
        var deleteRoutes = observedRoutes.Where(r => !desiredRouteKeys.Contains(r.Key)).Select(r => (ReconcileAction)new DeleteRoute(r));

        var addRules = desired.Rules.Where(r => !observed.Rules.Contains(r)).Select(r => (ReconcileAction)new AddRule(r));
        var deleteRules = observed.Rules.Where(r => !desired.Rules.Contains(r)).Select(r => (ReconcileAction)new DeleteRule(r));

        var desiredLinkNames = desired.Links.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        // Only links we made are ours to delete; adopted ones are left alone.
        var deleteLinks = observed.Links.Where(l => !desiredLinkNames.Contains(l.Name) && l.Origin == LinkOrigin.Create)
            .Select(l => (ReconcileAction)new DeleteLink(l));

        return recreate
            .Concat(linkSetup)
            .Concat(addAddresses)
            .Concat(routeChanges)
            .Concat(addRules)
            .Concat(deleteRules)
            .Concat(deleteRoutes)
            .Concat(deleteAddresses)
            .Concat(deleteLinks)
            .ToValueList();
    }

    // A macvlan's parent and mode are fixed at creation. An unknown observed parent (null) is not a difference.
    private static bool MustRecreate(LinkSpec desired, LinkSpec observed) =>
        desired.Mode != observed.Mode || (desired.Parent is not null && observed.Parent is not null && desired.Parent != observed.Parent);
}
