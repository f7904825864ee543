using System.Runtime.InteropServices;

namespace RedirectRouter.Netlink;

/// <summary>
/// The kernel refused a netlink request, or the socket failed. Carries the errno, the kernel's
/// extended-ack text when it sent one, and which request failed.
/// </summary>
public sealed class NetlinkException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NetlinkException(int errno, string request, string? extendedAck = null, Exception? inner = null)
        : base(Format(errno, request, extendedAck), inner)
    {
        Errno = errno;
        Request = request;
        ExtendedAck = extendedAck;
    }

    /// <summary>The positive errno value (for example 17 for EEXIST).</summary>
    public int Errno { get; }

    /// <summary>The symbolic errno name, such as <c>EEXIST</c>.</summary>
    public string ErrorName => Errors.Name(Errno);

    /// <summary>What was asked, for example <c>RTM_NEWROUTE (ip route add 10.0.0.0/24 ...)</c>.</summary>
    public string Request { get; }

    /// <summary>The kernel's extended-ack message, when it sent one.</summary>
    public string? ExtendedAck { get; }

    /// <summary>True for EEXIST: the object is already there.</summary>
    public bool IsAlreadyExists => Errno == Errors.EEXIST;

    /// <summary>True for ENOENT, ESRCH, ENODEV and EADDRNOTAVAIL: the object is not there.</summary>
    public bool IsNotFound => Errno is Errors.ENOENT or Errors.ESRCH or Errors.ENODEV or Errors.EADDRNOTAVAIL;

    /// <summary>True for EPERM and EACCES: CAP_NET_ADMIN is missing.</summary>
    public bool IsPermissionDenied => Errno is Errors.EPERM or Errors.EACCES;

    private static string Format(int errno, string request, string? extendedAck)
    {
        var text = $"{request} failed: {Marshal.GetPInvokeErrorMessage(errno)} ({Errors.Name(errno)})";
        return string.IsNullOrEmpty(extendedAck) ? text : $"{text}: {extendedAck}";
    }
}
