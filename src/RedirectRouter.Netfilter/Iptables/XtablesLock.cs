using System.Net.Sockets;

namespace RedirectRouter.Netfilter.Iptables;

/// <summary>
/// The xtables lock, for iptables-restore versions without --wait (RHEL 7's 1.4.21), taken the way
/// kube-proxy's grabIptablesLocks does: flock on /run/xtables.lock (1.6+) and the abstract unix socket
/// <c>@xtables</c> (1.4.x), polling every 200 ms. The abstract socket belongs to the network namespace of
/// this process, so it is only taken when the tool runs in that same namespace.
/// </summary>
internal sealed class XtablesLock : IDisposable
{
    public const string DefaultPath = "/run/xtables.lock";

    private readonly FileStream _file;
    private readonly Socket? _socket;

    private XtablesLock(FileStream file, Socket? socket)
    {
        _file = file;
        _socket = socket;
    }

    public static async Task<XtablesLock> AcquireAsync(string path, bool abstractSocket, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        FileStream? file = null;
        Socket? socket = null;
        try
        {
            while (true)
            {
                // FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB), the lock iptables itself takes.
                file ??= TryOpenLocked(path);
                if (file is not null && abstractSocket && socket is null)
                {
                    socket = TryBindAbstract();
                }
                if (file is not null && (!abstractSocket || socket is not null))
                {
                    return new XtablesLock(file, socket);
                }
                if (DateTime.UtcNow >= deadline)
                {
                    throw new NetfilterException($"could not take the xtables lock ({path}{(abstractSocket ? " and @xtables" : "")}) within {timeout.TotalSeconds:0.#} s");
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            socket?.Dispose();
            file?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _file.Dispose();
    }

    private static FileStream? TryOpenLocked(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null; // held by someone else
        }
    }

    private static Socket? TryBindAbstract()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint("\0xtables"));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }
}
