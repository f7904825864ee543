using RedirectRouter.Netlink.NfTables;
using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink;

/// <summary>
/// One committed nf_tables transaction, as its change events and closing <c>NFT_MSG_NEWGEN</c> tell it.
/// </summary>
/// <param name="PortId">The netlink port id of the socket that sent the batch (the kernel stamps it on every event).</param>
/// <param name="ProcessId">
/// The committing task (<c>NFTA_GEN_PROC_PID</c>, the kernel's <c>task_pid_nr</c>: the thread id, which is the process id of a
/// single-threaded tool such as nft), when the closing NEWGEN named it.
/// </param>
/// <param name="Generation">The generation the transaction produced, when known.</param>
/// <param name="EventsLost">True when events were dropped or unreadable: whatever happened, it cannot be told apart.</param>
public sealed record NetfilterTransaction(uint PortId, uint? ProcessId, uint? Generation, bool EventsLost = false)
{
    /// <summary>What a monitor reports when it cannot say who changed what.</summary>
    public static NetfilterTransaction Unknown { get; } = new(0, null, null, EventsLost: true);
}

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
    private readonly Action<NetfilterTransaction> _changed;
    private readonly Action<Exception>? _failed;
    private readonly Wakeup _wakeup = new();
    // Port ids of change events whose transaction's NEWGEN has not arrived yet (it may come in a later datagram).
    private readonly HashSet<uint> _pendingPorts = [];

    private NetfilterChangeMonitor(NetlinkSocket socket, Action<NetfilterTransaction> changed, Action<Exception>? failed)
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
        ArgumentNullException.ThrowIfNull(changed);
        return Open(_ => changed(), ns, failed);
    }

    /// <summary>
    /// Starts listening in <paramref name="ns"/> (or the calling thread's namespace); <paramref name="changed"/> runs once
    /// per committed transaction with who sent it, so a caller can ignore its own. Events of different senders are
    /// never merged: a foreign transaction is reported even when it interleaves with one of ours.
    /// <paramref name="failed"/> runs on an unexpected error of the socket (the monitor keeps going).
    /// </summary>
    public static NetfilterChangeMonitor Open(Action<NetfilterTransaction> changed, NetNamespace? ns = null, Action<Exception>? failed = null)
    {
        ArgumentNullException.ThrowIfNull(changed);
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

                var length = _socket.Receive(buffer);
                Dispatch(buffer.AsSpan(0, length));
            }
            catch (NetlinkException e) when (e.Errno == Errors.ETIMEDOUT)
            {
                // Idle: check whether to stop.
            }
            catch (NetlinkException e) when (e.Errno == Errors.ENOBUFS)
            {
                // Events were dropped; something changed anyway, and by whom is lost.
                _pendingPorts.Clear();
                _changed(NetfilterTransaction.Unknown);
            }
            catch (NetlinkParseException)
            {
                // A datagram we cannot read still says something changed.
                _pendingPorts.Clear();
                _changed(NetfilterTransaction.Unknown);
            }
            catch (Exception e)
            {
                // A raw thread must not throw (that ends the process). Say so, assume a change, and go on
                // after a pause (a socket that keeps failing must not spin).
                _failed?.Invoke(e);
                _pendingPorts.Clear();
                _changed(NetfilterTransaction.Unknown);
                if (_wakeup.WaitSignaled(TimeSpan.FromSeconds(1)))
                {
                    return;
                }
            }
        }
    }

    // Each NEWGEN closes one transaction; the events before it carry the sender's port id. A port among them
    // other than the NEWGEN's (never seen in practice: one batch is one socket) is reported on its own.
    private void Dispatch(ReadOnlySpan<byte> datagram)
    {
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var header, out var payload))
        {
            if (header.Type != NfTablesProtocol.Type(NfTablesProtocol.MsgNewGen))
            {
                _pendingPorts.Add(header.PortId);
                continue;
            }

            var generation = NfTablesCodec.DecodeGeneration(payload);
            _pendingPorts.Remove(header.PortId);
            foreach (var port in _pendingPorts)
            {
                _changed(new NetfilterTransaction(port, null, null));
            }

            _pendingPorts.Clear();
            _changed(new NetfilterTransaction(header.PortId, generation.ProcessId, generation.Id));
        }

        if (reader.Error is not null)
        {
            throw new NetlinkParseException(reader.Error);
        }
    }
}
