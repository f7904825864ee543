namespace RedirectRouter.Core.Planning;

/// <summary>One step that moves the observed network state towards the desired one; the agent applies them in order.</summary>
public abstract record ReconcileAction
{
    private protected ReconcileAction()
    {
    }
}

/// <summary>Create a macvlan (or, for adopt-or-create, create it because it is absent).</summary>
/// <param name="Link">The link to create.</param>
public sealed record CreateLink(LinkSpec Link) : ReconcileAction;

/// <summary>An interface to adopt does not exist: the agent cannot go on (it never creates adopted links).</summary>
/// <param name="Name">The missing interface.</param>
public sealed record AdoptedLinkMissing(string Name) : ReconcileAction;

/// <summary>Set a link's MTU.</summary>
/// <param name="Name">The interface.</param>
/// <param name="Mtu">The MTU.</param>
public sealed record SetLinkMtu(string Name, int Mtu) : ReconcileAction;

/// <summary>Bring a link up.</summary>
/// <param name="Name">The interface.</param>
public sealed record SetLinkUp(string Name) : ReconcileAction;

/// <summary>Delete a link we created (its addresses and routes go with it).</summary>
/// <param name="Link">The link.</param>
public sealed record DeleteLink(LinkSpec Link) : ReconcileAction;

/// <summary>Add an address.</summary>
/// <param name="Address">The address.</param>
public sealed record AddAddress(AddressSpec Address) : ReconcileAction;

/// <summary>Delete an address.</summary>
/// <param name="Address">The address.</param>
public sealed record DeleteAddress(AddressSpec Address) : ReconcileAction;

/// <summary>Add a route.</summary>
/// <param name="Route">The route.</param>
public sealed record AddRoute(RouteEntry Route) : ReconcileAction;

/// <summary>Replace a route with the same table, destination and metric (ip route replace).</summary>
/// <param name="Route">The new route.</param>
public sealed record ReplaceRoute(RouteEntry Route) : ReconcileAction;

/// <summary>Delete a route.</summary>
/// <param name="Route">The route.</param>
public sealed record DeleteRoute(RouteEntry Route) : ReconcileAction;

/// <summary>Add a policy rule.</summary>
/// <param name="Rule">The rule.</param>
public sealed record AddRule(PolicyRule Rule) : ReconcileAction;

/// <summary>Delete a policy rule.</summary>
/// <param name="Rule">The rule.</param>
public sealed record DeleteRule(PolicyRule Rule) : ReconcileAction;
