namespace RedirectRouter.TestSupport;

/// <summary>
/// The namespaces of one test topology: each created through <see cref="TestNamespace"/> and all removed on
/// dispose (also when building the topology failed half way, see the derived constructors).
/// </summary>
public abstract class NamespaceGroup : IDisposable
{
    private readonly List<TestNamespace> _namespaces = [];

    public void Dispose()
    {
        foreach (var ns in _namespaces)
        {
            ns.Dispose();
        }
        _namespaces.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <paramref name="program"/> inside <paramref name="ns"/> and returns its standard output.</summary>
    public static string Exec(TestNamespace ns, string program, params string[] args) =>
        TestNamespace.Run("ip", ["netns", "exec", ns.Name, program, .. args]);

    /// <summary>Turns IPv4 and IPv6 forwarding on in <paramref name="ns"/>.</summary>
    protected static void EnableForwarding(TestNamespace ns)
    {
        Exec(ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        Exec(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
    }

    /// <summary>Adds one address per family to <paramref name="device"/> (IPv6 without duplicate detection) and sets it up.</summary>
    protected static void Address(TestNamespace ns, string device, string v4, string v6)
    {
        ns.Ip("address", "add", v4, "dev", device);
        ns.Ip("address", "add", v6, "dev", device, "nodad");
        ns.Ip("link", "set", device, "up");
    }

    protected TestNamespace Add(string purpose)
    {
        var ns = TestNamespace.Create(purpose);
        _namespaces.Add(ns);
        return ns;
    }
}
