using System.Net.Sockets;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Netfilter;

/// <summary>What both renderers (and the backends) read from a <see cref="NatModel"/> alike: the families, the homes, the protocol words.</summary>
public static class NatModelFacts
{
    /// <summary>
    /// Both families, always: the filters of a family must exist even when nothing of it is configured, or the
    /// kernel would forward that family unfiltered (IPv6 forwarding may be on whatever we configure).
    /// </summary>
    public static IReadOnlyList<AddressFamily> Families(NatModel nat)
    {
        ArgumentNullException.ThrowIfNull(nat);
        return [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6];
    }

    /// <summary>Whether the model has anything IPv6 (else the IPv6 ruleset is the filter alone).</summary>
    public static bool HasIpv6(NatModel nat) => Configures(nat, AddressFamily.InterNetworkV6);

    /// <summary>Whether the model has any redirect, fallback or egress address of <paramref name="family"/>; without, that family's ruleset is the filter alone.</summary>
    public static bool Configures(NatModel nat, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(nat);
        return nat.Dnat.Any(d => d.Family == family) || nat.Fallbacks.Any(f => f.Family == family) || nat.Snat.Any(s => s.Family == family);
    }

    /// <summary>The interfaces of the homes (the egress side), each once, in model order.</summary>
    public static IReadOnlyList<string> HomeInterfaces(NatModel nat)
    {
        ArgumentNullException.ThrowIfNull(nat);
        return nat.Homes.Select(h => h.Interface).Concat(nat.Snat.Select(s => s.Interface)).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The protocol as both tools spell it (the word the configuration uses).</summary>
    public static string ProtocolName(Protocol protocol) => protocol.ToWord();
}
