using RedirectRouter.Netlink;

namespace RedirectRouter.Agent.Network;

/// <summary>
/// The namespaces the agent works in: its own (the router pod's), where everything is configured, and
/// optionally the host's (the node's), where macvlans are created on the parent NIC. Owns both handles.
/// </summary>
public sealed class RouterNamespaces : IDisposable
{
    private RouterNamespaces(NetNamespace own, NetlinkHandle ownHandle, NetNamespace? host, NetlinkHandle? hostHandle)
    {
        Own = own;
        OwnHandle = ownHandle;
        Host = host;
        HostHandle = hostHandle;
    }

    /// <summary>The router's namespace.</summary>
    public NetNamespace Own { get; }

    /// <summary>rtnetlink in the router's namespace.</summary>
    public NetlinkHandle OwnHandle { get; }

    /// <summary>The node's namespace, when given (<c>--host-netns</c>).</summary>
    public NetNamespace? Host { get; }

    /// <summary>rtnetlink in the node's namespace.</summary>
    public NetlinkHandle? HostHandle { get; }

    /// <summary>
    /// Opens the router's namespace (<paramref name="ownPath"/>, or this process's own) and the host's
    /// (<paramref name="hostPath"/>, optional).
    /// </summary>
    public static RouterNamespaces Open(string? ownPath, string? hostPath)
    {
        var own = ownPath is null ? NetNamespace.OpenPid(Environment.ProcessId) : NetNamespace.OpenPath(ownPath);
        NetlinkHandle? ownHandle = null;
        NetNamespace? host = null;
        try
        {
            ownHandle = ownPath is null ? NetlinkHandle.Open() : NetlinkHandle.OpenIn(own);
            host = hostPath is null ? null : NetNamespace.OpenPath(hostPath);
            var hostHandle = host is null ? null : NetlinkHandle.OpenIn(host);
            return new RouterNamespaces(own, ownHandle, host, hostHandle);
        }
        catch
        {
            host?.Dispose();
            ownHandle?.Dispose();
            own.Dispose();
            throw;
        }
    }

    /// <summary>True when the host namespace given is in fact the router's own.</summary>
    public bool HostIsOwn => Host is not null && Host.Id == Own.Id;

    /// <summary>Closes the handles.</summary>
    public void Dispose()
    {
        HostHandle?.Dispose();
        Host?.Dispose();
        OwnHandle.Dispose();
        Own.Dispose();
    }
}
