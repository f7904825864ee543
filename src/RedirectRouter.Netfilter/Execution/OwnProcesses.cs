namespace RedirectRouter.Netfilter.Execution;

/// <summary>
/// Runs tools through another runner and remembers the process ids of the last runs, so that an nf_tables
/// change event stamped with one of them (<c>NFTA_GEN_PROC_PID</c>) is known to be our own transaction.
/// </summary>
internal sealed class OwnProcesses : ICommandRunner
{
    private const int Remembered = 64;
    private readonly ICommandRunner _inner;
    private readonly Lock _gate = new();
    private readonly Queue<int> _order = new();
    private readonly HashSet<int> _ids = [];

    public OwnProcesses(ICommandRunner inner) => _inner = inner;

    /// <summary>True when <paramref name="processId"/> is one of the last tools this runner started.</summary>
    public bool Contains(uint processId)
    {
        lock (_gate)
        {
            return processId <= int.MaxValue && _ids.Contains((int)processId);
        }
    }

    // Passed through: a wrapper that fell back to the bare name would let nsenter search its PATH.
    public string Locate(string program) => _inner.Locate(program);

    public async Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        var result = await _inner.RunAsync(program, arguments, standardInput, cancellationToken).ConfigureAwait(false);
        if (result.ProcessId is { } id)
        {
            lock (_gate)
            {
                if (_ids.Add(id))
                {
                    _order.Enqueue(id);
                    if (_order.Count > Remembered)
                    {
                        _ids.Remove(_order.Dequeue());
                    }
                }
            }
        }

        return result;
    }
}
