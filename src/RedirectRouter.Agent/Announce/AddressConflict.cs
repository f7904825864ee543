using System.Net;
using System.Net.NetworkInformation;

namespace RedirectRouter.Agent.Announce;

/// <summary>Another host answered for (or probed) the address we meant to claim.</summary>
/// <param name="Address">The contested address.</param>
/// <param name="OtherHost">The other host's hardware address.</param>
/// <param name="WasProbing">True when the other host was itself probing rather than using the address.</param>
public sealed record AddressConflict(IPAddress Address, PhysicalAddress OtherHost, bool WasProbing)
{
    /// <inheritdoc/>
    public override string ToString() =>
        WasProbing
            ? $"another host ({FormatMac(OtherHost)}) is probing for {Address} at the same time"
            : $"{Address} is already in use by the host with MAC {FormatMac(OtherHost)}";

    /// <summary>Formats a MAC as <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    public static string FormatMac(PhysicalAddress mac) => string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2")));
}
