using RedirectRouter.Netlink;

namespace RedirectRouter.Lab;

/// <summary>The lab's namespaces, by role. The lab tool creates them by name; tests pass their own.</summary>
/// <param name="Client">The application pod.</param>
/// <param name="Router">The egress router pod (its <c>eth0</c> faces the cluster).</param>
/// <param name="Node">The node, holding the parent NICs <c>nic0</c> and <c>nic1</c>.</param>
/// <param name="Segment">The node's L2 segment: a bridge joining <c>nic0</c>, the gateway and any other host.</param>
/// <param name="Gateway">The egress gateway (two segments, and the destination network behind it).</param>
/// <param name="Destination">The external destination.</param>
public sealed record LabNamespaces(
    LabHost Client, LabHost Router, LabHost Node, LabHost Segment, LabHost Gateway, LabHost Destination)
{
    /// <summary>Every namespace, in creation order.</summary>
    public IEnumerable<LabHost> All => [Client, Router, Node, Segment, Gateway, Destination];
}

/// <summary>A lab namespace: its name (for <c>ip -n</c>) and an open handle.</summary>
public sealed record LabHost(string Name, NetNamespace Handle);
