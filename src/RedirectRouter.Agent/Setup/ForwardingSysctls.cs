using System.Net.Sockets;
using RedirectRouter.Agent.Network;

namespace RedirectRouter.Agent.Setup;

/// <summary>
/// Turns on IP forwarding in the router's namespace: the kernel forwards nothing otherwise. The files
/// under /proc/sys/net belong to the namespace of the thread that opens them, which for the agent is its own.
/// A setting that is already 1 is not written, so a container whose /proc/sys is read-only (every
/// non-privileged container) works as long as the pod's namespace has forwarding on.
/// </summary>
public static class ForwardingSysctls
{
    /// <summary>Enables forwarding for the families in use; returns the settings it changed.</summary>
    /// <exception cref="SetupException">A setting is off and cannot be written (or read).</exception>
    public static IReadOnlyList<string> Enable(IEnumerable<AddressFamily> families) => Enable(families, PathOf);

    /// <summary>As <see cref="Enable(IEnumerable{AddressFamily})"/>, with the file of each family given (tests).</summary>
    internal static IReadOnlyList<string> Enable(IEnumerable<AddressFamily> families, Func<AddressFamily, string> pathOf)
    {
        var changed = new List<string>();
        foreach (var family in families.Distinct())
        {
            var path = pathOf(family);
            try
            {
                if (File.ReadAllText(path).Trim() != "1")
                {
                    File.WriteAllText(path, "1");
                    changed.Add(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SetupException("forwarding", $"{SysctlOf(family)} is off in the router's namespace and {path} cannot be set to 1 ({e.Message}). " +
                    "A non-privileged container sees /proc/sys read-only: set it for the pod instead, in the pod's securityContext.sysctls " +
                    $"(name: {SysctlOf(family)}, value: \"1\"; the kubelet must allow it with --allowed-unsafe-sysctls={SysctlOf(family)}), " +
                    $"or with sysctl -w {SysctlOf(family)}=1 in the namespace before the agent starts", e);
            }
        }

        return changed;
    }

    private static string PathOf(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? "/proc/sys/net/ipv6/conf/all/forwarding" : "/proc/sys/net/ipv4/ip_forward";

    private static string SysctlOf(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward";
}
