using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Model;

/// <summary>One change to an existing link; fields left null are not touched.</summary>
public readonly record struct LinkChange(int Index)
{
    /// <summary>New flag values for the bits in <see cref="FlagsMask"/>.</summary>
    public InterfaceFlags Flags { get; init; }

    /// <summary>Which flag bits to change.</summary>
    public InterfaceFlags FlagsMask { get; init; }

    /// <summary>A new MTU.</summary>
    public int? Mtu { get; init; }

    /// <summary>A new name.</summary>
    public string? Name { get; init; }

    /// <summary>A new alias (the kernel accepts it only on changes, not on creation).</summary>
    public string? Alias { get; init; }

    /// <summary>A bridge to enslave the link to (0 releases it).</summary>
    public int? MasterIndex { get; init; }

    /// <summary>A namespace to move the link into.</summary>
    public NetNamespace? Namespace { get; init; }

    /// <summary>The change as an <c>ip link set</c> command, for error messages.</summary>
    public override string ToString()
    {
        var text = $"ip link set dev #{Index}";
        if ((FlagsMask & InterfaceFlags.Up) != 0)
        {
            text += (Flags & InterfaceFlags.Up) != 0 ? " up" : " down";
        }

        if (Mtu is { } mtu)
        {
            text += $" mtu {mtu}";
        }

        if (Name is { } name)
        {
            text += $" name {name}";
        }

        if (Alias is { } alias)
        {
            text += $" alias {alias}";
        }

        if (MasterIndex is { } master)
        {
            text += master == 0 ? " nomaster" : $" master #{master}";
        }

        if (Namespace is { } ns)
        {
            text += $" netns {ns.Path}";
        }

        return text;
    }
}
