using System.Runtime.InteropServices;

namespace RedirectRouter.Netlink;

/// <summary>
/// The kernel refused a netlink request, or the socket failed. Carries the errno, the kernel's
/// extended-ack text when it sent one, and which request failed.
/// </summary>
public sealed class NetlinkException : KernelException
{
    /// <summary>Creates the exception.</summary>
    public NetlinkException(int errno, string request, string? extendedAck = null, Exception? inner = null)
        : base(errno, Format(errno, request, extendedAck), inner)
    {
        Request = request;
        ExtendedAck = extendedAck;
    }

    /// <summary>What was asked, for example <c>RTM_NEWROUTE (ip route add 10.0.0.0/24 ...)</c>.</summary>
    public string Request { get; }

    /// <summary>The kernel's extended-ack message, when it sent one.</summary>
    public string? ExtendedAck { get; }

    /// <summary>True for EEXIST: the object is already there.</summary>
    public bool IsAlreadyExists => Errno == Errors.EEXIST;

    /// <summary>True for ENOENT, ESRCH, ENODEV and EADDRNOTAVAIL: the object is not there.</summary>
    public bool IsNotFound => Errno is Errors.ENOENT or Errors.ESRCH or Errors.ENODEV or Errors.EADDRNOTAVAIL;

    private static string Format(int errno, string request, string? extendedAck)
    {
        var text = $"{request} failed: {Marshal.GetPInvokeErrorMessage(errno)} ({Errors.Name(errno)})";
        return string.IsNullOrEmpty(extendedAck) ? text : $"{text}: {extendedAck}";
    }
}
