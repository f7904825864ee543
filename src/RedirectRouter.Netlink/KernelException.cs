using System.Runtime.InteropServices;

namespace RedirectRouter.Netlink;

/// <summary>
/// A call into a kernel interface failed with an errno: a netlink request (<see cref="NetlinkException"/>) or a raw
/// packet socket (<see cref="Packet.PacketSocketException"/>). Catch this where either may fail, for example while
/// setting up addresses and announcing them.
/// </summary>
public abstract class KernelException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected KernelException(int errno, string message, Exception? inner)
        : base(message, inner)
    {
        Errno = errno;
    }

    /// <summary>The positive errno value (for example 17 for EEXIST).</summary>
    public int Errno { get; }

    /// <summary>The symbolic errno name, such as <c>EEXIST</c>.</summary>
    public string ErrorName => Errors.Name(Errno);

    /// <summary>True for EPERM and EACCES: a capability (CAP_NET_ADMIN, CAP_NET_RAW) is missing.</summary>
    public bool IsPermissionDenied => Errno is Errors.EPERM or Errors.EACCES;

    /// <summary>The errno's text and name, as <c>Operation not permitted (EPERM)</c>.</summary>
    protected static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} ({Errors.Name(errno)})";
}
