namespace RedirectRouter.Netlink.Model;

/// <summary>A macvlan on a parent NIC: <c>ip link add link PARENT name NAME type macvlan mode MODE</c>.</summary>
public sealed record MacvlanLinkSpec : LinkSpec
{
    /// <summary>The parent's interface index, in the handle's namespace.</summary>
    public required int ParentIndex { get; init; }

    /// <summary>The macvlan mode.</summary>
    public MacvlanMode Mode { get; init; } = MacvlanMode.Bridge;

    /// <inheritdoc/>
    public override string Kind => "macvlan";
}
