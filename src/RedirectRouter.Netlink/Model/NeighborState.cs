namespace RedirectRouter.Netlink.Model;

/// <summary>Neighbour cache states (<c>NUD_*</c>).</summary>
[Flags]
public enum NeighborState : ushort
{
    /// <summary>No state.</summary>
    None = 0,
    /// <summary><c>INCOMPLETE</c>: resolution in progress.</summary>
    Incomplete = 0x01,
    /// <summary><c>REACHABLE</c>.</summary>
    Reachable = 0x02,
    /// <summary><c>STALE</c>.</summary>
    Stale = 0x04,
    /// <summary><c>DELAY</c>.</summary>
    Delay = 0x08,
    /// <summary><c>PROBE</c>.</summary>
    Probe = 0x10,
    /// <summary><c>FAILED</c>: the neighbour did not answer.</summary>
    Failed = 0x20,
    /// <summary><c>NOARP</c>.</summary>
    NoArp = 0x40,
    /// <summary><c>PERMANENT</c>.</summary>
    Permanent = 0x80,
}
