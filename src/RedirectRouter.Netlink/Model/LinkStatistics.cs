namespace RedirectRouter.Netlink.Model;

/// <summary>A link's counters (<c>IFLA_STATS64</c>), as <c>ip -s link show</c>.</summary>
public sealed record LinkStatistics(
    ulong RxPackets, ulong TxPackets, ulong RxBytes, ulong TxBytes,
    ulong RxErrors, ulong TxErrors, ulong RxDropped, ulong TxDropped);
