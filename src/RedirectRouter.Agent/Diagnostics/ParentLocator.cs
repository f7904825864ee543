using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// Finds the parent NIC of a macvlan in the namespace it really lives in. A parent index means nothing on its own
/// outside the parent's namespace: the kernel says which one that is by the link's netnsid (the id the router's
/// namespace gives it, <c>link-netnsid</c> in <c>ip link</c>), so the candidates diag can open (the node namespace,
/// and diag's own) are matched by asking the router's namespace which id it gives each of them. A parent whose
/// namespace matches none is reported as not inspected, with a note, never looked up by index somewhere else.
/// </summary>
internal sealed class ParentLocator : IDisposable
{
    private readonly NetlinkHandle _router;
    private readonly List<Candidate> _candidates = [];
    private readonly NetlinkHandle? _host;
    private readonly bool _hostKnown;

    private sealed record Candidate(string Description, NetNamespace Namespace, NetlinkHandle? Handle, bool Owned);

    /// <param name="router">A handle in the router's namespace.</param>
    /// <param name="routerNamespace">The router's namespace.</param>
    /// <param name="own">diag's own namespace.</param>
    /// <param name="host">The node namespace (where parents are created), if known and opened.</param>
    /// <param name="hostHandle">A handle in <paramref name="host"/>; null when it is the router's namespace.</param>
    /// <param name="hostDescription">How to name the node namespace in a note (its path and where it came from).</param>
    public ParentLocator(NetlinkHandle router, NetNamespace routerNamespace, NetNamespace own, NetNamespace? host, NetlinkHandle? hostHandle, string? hostDescription)
    {
        _router = router;
        _host = hostHandle;
        _hostKnown = host is not null;
        if (host is not null && hostHandle is not null && host.Id != routerNamespace.Id)
        {
            _candidates.Add(new Candidate(hostDescription ?? host.Path, host, hostHandle, Owned: false));
        }

        if (own.Id != routerNamespace.Id && (host is null || own.Id != host.Id))
        {
            // Opened on first use only: most parents are found in the node namespace.
            _candidates.Add(new Candidate("diag's own namespace", own, null, Owned: true));
        }
    }

    /// <summary>The parent of <paramref name="link"/>, for a macvlan; null for other links.</summary>
    public ParentFact? LookUp(Link link, List<string> notes)
    {
        if (link.ParentIndex is not { } index || link.Kind != "macvlan")
        {
            return null;
        }

        if (!link.ParentInOtherNamespace)
        {
            return Describe(index, _router.LinkGetByIndex(index));
        }

        for (var i = 0; i < _candidates.Count; i++)
        {
            var candidate = _candidates[i];
            int? id;
            try
            {
                id = _router.NetNsIdOf(candidate.Namespace);
            }
            catch (NetlinkException)
            {
                id = null;
            }

            if (id is not null && id == link.ParentNetNsId)
            {
                var handle = candidate.Handle;
                if (handle is null)
                {
                    // Only diag's own namespace is opened late, and diag runs in it.
                    handle = NetlinkHandle.Open();
                    _candidates[i] = candidate with { Handle = handle };
                }

                return Describe(index, handle.LinkGetByIndex(index));
            }
        }

        var searched = _candidates.Count == 0 ? "" : $", which is not {string.Join(" nor ", _candidates.Select(c => c.Description))}";
        notes.Add($"the parent of {link.Name} (#{index}) is in the namespace that the router's namespace numbers link-netnsid {link.ParentNetNsId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}{searched}: "
            + $"it is not inspected; pass --host-netns PATH naming that namespace (`ip -n ROUTER link show {link.Name}` prints link-netns NAME when it is named in /run/netns; `ip netns identify PID` names a process's namespace)");
        return new ParentFact(index, null, false, null);
    }

    /// <summary>A parent named by the configuration, looked up in the node namespace (for a macvlan that is missing).</summary>
    public ParentFact LookUpByName(string name)
    {
        if (!_hostKnown || _host is null)
        {
            return new ParentFact(null, name, false, null);
        }

        var parent = _host.LinkGetByName(name);
        return parent is null
            ? new ParentFact(null, name, true, false)
            : new ParentFact(parent.Index, name, true, true, parent.IsUp, parent.OperationalState.ToString().ToLowerInvariant(), parent.Carrier, parent.Mtu);
    }

    private static ParentFact Describe(int index, Link? parent) => parent is null
        ? new ParentFact(index, null, true, false)
        : new ParentFact(index, parent.Name, true, true, parent.IsUp, parent.OperationalState.ToString().ToLowerInvariant(), parent.Carrier, parent.Mtu);

    public void Dispose()
    {
        foreach (var candidate in _candidates.Where(c => c.Owned))
        {
            candidate.Handle?.Dispose();
        }
    }
}
