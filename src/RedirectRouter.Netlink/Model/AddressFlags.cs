namespace RedirectRouter.Netlink.Model;

/// <summary>Address flags (<c>IFA_F_*</c>), as shown by <c>ip addr</c>.</summary>
[Flags]
public enum AddressFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary><c>secondary</c>.</summary>
    Secondary = 0x01,
    /// <summary><c>nodad</c>: skip duplicate address detection (IPv6).</summary>
    NoDad = 0x02,
    /// <summary><c>optimistic</c>.</summary>
    Optimistic = 0x04,
    /// <summary><c>dadfailed</c>: another host has this IPv6 address.</summary>
    DadFailed = 0x08,
    /// <summary><c>home</c>.</summary>
    HomeAddress = 0x10,
    /// <summary><c>deprecated</c>.</summary>
    Deprecated = 0x20,
    /// <summary><c>tentative</c>: DAD still running (IPv6).</summary>
    Tentative = 0x40,
    /// <summary><c>permanent</c>.</summary>
    Permanent = 0x80,
    /// <summary><c>mngtmpaddr</c>.</summary>
    ManageTemporaryAddress = 0x100,
    /// <summary><c>noprefixroute</c>: do not add the prefix route.</summary>
    NoPrefixRoute = 0x200,
    /// <summary><c>autojoin</c>.</summary>
    MulticastAutoJoin = 0x400,
    /// <summary><c>stable-privacy</c>.</summary>
    StablePrivacy = 0x800,
}
