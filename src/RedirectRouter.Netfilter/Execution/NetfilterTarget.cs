namespace RedirectRouter.Netfilter.Execution;

/// <summary>
/// The network namespace whose netfilter state is managed. Tools for another namespace run as
/// <c>nsenter --net=PATH -- program args</c>: namespaces are per thread, so the agent never switches its own.
/// </summary>
/// <param name="NetnsPath">A namespace file (<c>/run/netns/NAME</c>, <c>/proc/PID/ns/net</c>); null = the caller's own namespace.</param>
public sealed record NetfilterTarget(string? NetnsPath)
{
    /// <summary>The namespace this process runs in.</summary>
    public static NetfilterTarget Current { get; } = new((string?)null);

    /// <summary>A namespace created with <c>ip netns add NAME</c>.</summary>
    public static NetfilterTarget Named(string name) => new($"/run/netns/{name}");

    /// <summary>The program and arguments that run <paramref name="program"/> inside this namespace.</summary>
    public (string Program, IReadOnlyList<string> Arguments) Wrap(string program, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return NetnsPath is null ? (program, arguments) : ("nsenter", [$"--net={NetnsPath}", "--", program, .. arguments]);
    }

    /// <summary>Runs a tool inside this namespace.</summary>
    public Task<CommandResult> RunAsync(ICommandRunner runner, string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        // nsenter gets the inner tool's absolute path: it would otherwise search its PATH for it.
        var (wrappedProgram, wrappedArguments) = NetnsPath is null ? Wrap(program, arguments) : Wrap(runner.Locate(program), arguments);
        return runner.RunAsync(wrappedProgram, wrappedArguments, standardInput, cancellationToken);
    }

    /// <summary>"this namespace" or the path, for messages.</summary>
    public override string ToString() => NetnsPath ?? "own namespace";
}
