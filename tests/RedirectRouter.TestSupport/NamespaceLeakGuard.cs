namespace RedirectRouter.TestSupport;

/// <summary>
/// An assembly fixture: when the test run ends, it fails the run if any namespace a test created is
/// still there. Register it with <c>[assembly: AssemblyFixture(typeof(NamespaceLeakGuard))]</c>.
/// </summary>
public sealed class NamespaceLeakGuard : IDisposable
{
    /// <summary>Checks for leaked test namespaces.</summary>
    public void Dispose()
    {
        var prefix = $"{TestNamespace.NamePrefix}{Environment.ProcessId}-";
        var leaked = RedirectRouter.Netlink.NetNamespace.ListNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
        if (leaked.Length > 0)
        {
            foreach (var name in leaked)
            {
                RedirectRouter.Netlink.NetNamespace.Delete(name);
            }

            throw new InvalidOperationException($"test namespaces leaked (now removed): {string.Join(", ", leaked)}");
        }
    }
}
