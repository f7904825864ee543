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
    private readonly Wakeup _wakeup = new();

    private NetfilterChangeMonitor(NetlinkSocket socket, Action changed)
    {
        _socket = socket;
        _changed = changed;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "nftables-monitor" };
        _reader.Start();
    }

    /// <summary>Starts listening in <paramref name="ns"/> (or the calling thread's namespace); <paramref name="changed"/> runs on every change batch.</summary>
    public static NetfilterChangeMonitor Open(Action changed, NetNamespace? ns = null)
    {
        var socket = ns is null ? NetlinkSocket.Open(NetlinkNetfilter) : ns.Run(() => NetlinkSocket.Open(NetlinkNetfilter));
        try
        {
            socket.JoinGroup(NfnlGroupNftables);
            return new NetfilterChangeMonitor(socket, changed);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

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
        while (_wakeup.WaitReadable(_socket.Fd))
        {
            try
            {
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
        }
    }
}
