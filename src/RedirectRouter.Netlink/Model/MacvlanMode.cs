namespace RedirectRouter.Netlink.Model;

/// <summary>macvlan modes (<c>MACVLAN_MODE_*</c>), as <c>ip link add ... type macvlan mode MODE</c>.</summary>
public enum MacvlanMode : uint
{
    /// <summary><c>private</c>: no traffic between macvlans of one parent (OpenShift 3's choice).</summary>
    Private = 1,
    /// <summary><c>vepa</c>: macvlan-to-macvlan traffic hairpins through the external switch.</summary>
    Vepa = 2,
    /// <summary><c>bridge</c>: macvlans of one parent reach each other directly.</summary>
    Bridge = 4,
    /// <summary><c>passthru</c>: one macvlan takes the whole parent.</summary>
    Passthru = 8,
    /// <summary><c>source</c>: filtered by source MAC.</summary>
    Source = 16,
}
