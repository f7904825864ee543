using System.Net.Sockets;

namespace RedirectRouter.Agent.Setup;

/// <summary>
/// Turns on IP forwarding in the router's namespace: the kernel forwards nothing otherwise. The files
/// under /proc/sys/net belong to the namespace of the thread that opens them, which for the agent is its own.
/// </summary>
public static class ForwardingSysctls
{
    /// <summary>Enables forwarding for the families in use; returns the settings it changed.</summary>
    public static IReadOnlyList<string> Enable(IEnumerable<AddressFamily> families)
    {
        var changed = new List<string>();
        foreach (var family in families.Distinct())
        {
            var path = family == AddressFamily.InterNetworkV6 ? "/proc/sys/net/ipv6/conf/all/forwarding" : "/proc/sys/net/ipv4/ip_forward";
            if (File.ReadAllText(path).Trim() != "1")
            {
                File.WriteAllText(path, "1");
                changed.Add(path);
            }
        }

        return changed;
    }
}
