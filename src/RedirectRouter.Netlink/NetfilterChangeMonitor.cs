namespace RedirectRouter.Netlink;

/// <summary>
/// Wakes up when any nf_tables ruleset changes in a namespace (<c>NETLINK_NETFILTER</c>, group
/// <c>NFNLGRP_NFTABLES</c>): nft and iptables-nft both go through nf_tables, so a supervisor can read its
/// ruleset back only when something changed instead of listing it on a timer. The legacy x_tables
/// backend sends no such events.
/// </summary>
public sealed class NetfilterChangeMonitor : IDisposable
{
    private const int NetlinkNetfilter = 12;
    private const uint NfnlGroupNftables = 7;
    private readonly NetlinkSocket _socket;
    private readonly Thread _reader;
    private readonly Action _changed;
    private readonly Action<Exception>? _failed;
    private readonly Wakeup _wakeup = new();

    private NetfilterChangeMonitor(NetlinkSocket socket, Action changed, Action<Exception>? failed)
    {
        _socket = socket;
        _changed = changed;
        _failed = failed;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "nftables-monitor" };
        _reader.Start();
    }

    /// <summary>
    /// Starts listening in <paramref name="ns"/> (or the calling thread's namespace); <paramref name="changed"/> runs on
    /// every change batch, <paramref name="failed"/> on an unexpected error of the socket (the monitor keeps going).
    /// </summary>
    public static NetfilterChangeMonitor Open(Action changed, NetNamespace? ns = null, Action<Exception>? failed = null)
    {
        var socket = ns is null ? NetlinkSocket.Open(NetlinkNetfilter) : ns.Run(() => NetlinkSocket.Open(NetlinkNetfilter));
        try
        {
            socket.JoinGroup(NfnlGroupNftables);
            return new NetfilterChangeMonitor(socket, changed, failed);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The socket's descriptor, for tests that make it fail.
    internal int SocketFd => _socket.Fd;

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        _wakeup.Signal();
        _reader.Join();
        _socket.Dispose();
        _wakeup.Dispose();
    }

    private void ReadLoop()
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            try
            {
                if (!_wakeup.WaitReadable(_socket.Fd))
                {
                    return;
                }

                _socket.Receive(buffer);
                _changed();
            }
            catch (NetlinkException e) when (e.Errno == Errors.ETIMEDOUT)
            {
                // Idle: check whether to stop.
            }
            catch (NetlinkException e) when (e.Errno == Errors.ENOBUFS)
            {
                // Events were dropped; something changed anyway.
                _changed();
            }
            catch (Exception e)
            {
                // A raw thread must not throw (that ends the process). Say so, assume a change, and go on
                // after a pause (a socket that keeps failing must not spin).
                _failed?.Invoke(e);
                _changed();
                if (_wakeup.WaitSignaled(TimeSpan.FromSeconds(1)))
                {
                    return;
                }
            }
        }
    }
}
