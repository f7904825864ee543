using System.Runtime.InteropServices;

namespace RedirectRouter.Agent.Health;

/// <summary>
/// Raises the soft limit of open files to the hard limit. The .NET runtime does so at start, a NativeAOT
/// executable does not: at a container's usual soft limit of 1,024, held connections to the endpoint would
/// otherwise leave no descriptors for netlink sockets and tool pipes.
/// </summary>
public static partial class FileDescriptorLimit
{
    private const int RlimitNofile = 7;

    /// <summary>Raises the soft limit; returns (soft before, soft after), or null if the limits cannot be read.</summary>
    public static (ulong Before, ulong After)? RaiseSoftToHard()
    {
        if (GetRlimit(RlimitNofile, out var limit) != 0)
        {
            return null;
        }

        var before = limit.Current;
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (SetRlimit(RlimitNofile, in raised) == 0)
            {
                return (before, raised.Current);
            }
        }

        return (before, before);
    }

    [StructLayout(LayoutKind.Sequential)]
    private record struct Rlimit(ulong Current, ulong Maximum);

    [LibraryImport("libc.so.6", EntryPoint = "getrlimit")]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc.so.6", EntryPoint = "setrlimit")]
    private static partial int SetRlimit(int resource, in Rlimit limit);
}
