using RedirectRouter.Netfilter.Execution;

namespace RedirectRouter.Netfilter.Tests.Support;

/// <summary>
/// Runs the real tools, rewriting what a load feeds them on stdin while <see cref="Rewrite"/> is set: to put a line
/// the kernel rejects into an apply. Replace a line rather than add one, so the line the tool names is the line
/// the backend quotes.
/// </summary>
internal sealed class PayloadRewriter(ICommandRunner inner) : ICommandRunner
{
    public PayloadRewriter() : this(CliWrapCommandRunner.Instance)
    {
    }

    /// <summary>Applied to every payload while set.</summary>
    public Func<string, string>? Rewrite { get; set; }

    public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken) =>
        inner.RunAsync(program, arguments, standardInput is not null && Rewrite is { } rewrite ? rewrite(standardInput) : standardInput, cancellationToken);

    public string Locate(string program) => inner.Locate(program);
}
