using System.Net;
using System.Net.NetworkInformation;
using RedirectRouter.Netlink.Model;

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
            ? $"another host ({HardwareAddress.Format(OtherHost)}) is probing for {Address} at the same time"
            : $"{Address} is already in use by the host with MAC {HardwareAddress.Format(OtherHost)}";
}
