using System.Collections.Concurrent;

namespace RedirectRouter.Agent.Setup;

/// <summary>
/// The one thread the router's network work runs on (netlink round trips, the duplicate-address probe's wait):
/// they block, and with one CPU allowed the thread pool has one thread, which they would hold back (the ruleset
/// applied alongside, the event loop). One thread also keeps the work on the namespace's handles serial.
/// </summary>
internal sealed class NetworkThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];

    public NetworkThread()
    {
        new Thread(() =>
        {
            foreach (var item in _work.GetConsumingEnumerable())
            {
                item();
            }
        })
        { IsBackground = true, Name = "network" }.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the thread; the task completes (on the thread pool) with its result or failure.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>Lets the thread finish what it holds and end.</summary>
    public void Dispose() => _work.CompleteAdding();
}
