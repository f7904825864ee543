namespace RedirectRouter.Netlink.Model;

/// <summary>RFC 2863 operational states (<c>IF_OPER_*</c>).</summary>
public enum OperationalState : byte
{
    /// <summary><c>UNKNOWN</c>.</summary>
    Unknown = 0,
    /// <summary><c>NOTPRESENT</c>.</summary>
    NotPresent = 1,
    /// <summary><c>DOWN</c>.</summary>
    Down = 2,
    /// <summary><c>LOWERLAYERDOWN</c>: the parent is down.</summary>
    LowerLayerDown = 3,
    /// <summary><c>TESTING</c>.</summary>
    Testing = 4,
    /// <summary><c>DORMANT</c>.</summary>
    Dormant = 5,
    /// <summary><c>UP</c>.</summary>
    Up = 6,
}
