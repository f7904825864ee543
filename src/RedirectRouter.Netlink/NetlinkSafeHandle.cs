using System.Runtime.InteropServices;
using Tmds.Linux;

namespace RedirectRouter.Netlink;

/// <summary>Owns a file descriptor (a netlink socket or a namespace file) and closes it exactly once.</summary>
internal sealed class NetlinkSafeHandle : SafeHandle
{
    /// <summary>Wraps <paramref name="fd"/>, which this handle now owns.</summary>
    public NetlinkSafeHandle(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    /// <inheritdoc/>
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor, for system calls made while a reference is held.</summary>
    public int Fd => (int)handle.ToInt64();

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => LibC.close((int)handle.ToInt64()) == 0;
}
