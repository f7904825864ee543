namespace RedirectRouter.Agent.Network;

/// <summary>Tunables of the network setup.</summary>
/// <param name="DuplicateProbeWindow">How long to listen for another holder of an IPv4 address before claiming it; zero skips the probe.</param>
/// <param name="DuplicateProbeCount">How many ARP probes to send in that window.</param>
/// <param name="Ipv6DadTimeout">How long to wait for IPv6 duplicate address detection to finish.</param>
public sealed record NetworkSettings(TimeSpan DuplicateProbeWindow, int DuplicateProbeCount, TimeSpan Ipv6DadTimeout)
{
    /// <summary>200 ms and two probes (as NetworkManager), 5 s for IPv6 DAD.</summary>
    public static NetworkSettings Default { get; } = new(TimeSpan.FromMilliseconds(200), 2, TimeSpan.FromSeconds(5));
}
