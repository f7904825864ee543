using System.Runtime.InteropServices;
using Tmds.Linux;

namespace RedirectRouter.Netlink;

/// <summary>
/// Lets a thread block on a socket until it is readable or until another thread asks it to stop,
/// with no periodic wake-ups (an idle listener then costs no CPU): <c>poll</c> on the socket and an eventfd.
/// </summary>
internal sealed unsafe class Wakeup : IDisposable
{
    private readonly NetlinkSafeHandle _eventFd;

    /// <summary>Creates the eventfd.</summary>
    public Wakeup()
    {
        var fd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0)
        {
            throw new NetlinkException(LibC.errno, "eventfd");
        }

        _eventFd = new NetlinkSafeHandle(fd);
    }

    /// <summary>Wakes every waiter, now and later (the eventfd stays readable).</summary>
    public void Signal()
    {
        ulong one = 1;
        _ = LibC.write(_eventFd.Fd, &one, sizeof(ulong));
    }

    /// <summary>Blocks until <paramref name="fd"/> is readable (true) or <see cref="Signal"/> was called (false).</summary>
    public bool WaitReadable(int fd)
    {
        var fds = stackalloc PollFd[2];
        fds[0] = new PollFd { Fd = fd, Events = (short)LibC.POLLIN };
        fds[1] = new PollFd { Fd = _eventFd.Fd, Events = (short)LibC.POLLIN };
        while (true)
        {
            var ready = Poll(fds, 2, -1);
            if (ready < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errors.EINTR)
                {
                    continue;
                }

                throw new NetlinkException(errno, "poll");
            }

            if ((fds[1].Revents & LibC.POLLIN) != 0)
            {
                return false;
            }

            if (fds[0].Revents != 0)
            {
                return true;
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for <see cref="Signal"/>; true if it came.</summary>
    public bool WaitSignaled(TimeSpan timeout)
    {
        var fds = stackalloc PollFd[1];
        fds[0] = new PollFd { Fd = _eventFd.Fd, Events = (short)LibC.POLLIN };
        var ready = Poll(fds, 1, (int)timeout.TotalMilliseconds);
        return ready > 0 && (fds[0].Revents & LibC.POLLIN) != 0;
    }

    /// <summary>Closes the eventfd.</summary>
    public void Dispose() => _eventFd.Dispose();

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc.so.6", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll(PollFd* fds, ulong count, int timeout);
}
