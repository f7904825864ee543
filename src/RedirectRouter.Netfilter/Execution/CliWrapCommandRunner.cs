using System.Globalization;
using System.Text;
using CliWrap;

namespace RedirectRouter.Netfilter.Execution;

/// <summary>
/// Runs programs through CliWrap: argument lists, stdin from a string, output captured up to a limit. A bare
/// program name is looked up by the <see cref="ToolLocator"/> (never in the current directory); every run
/// has a deadline, after which the process (and what it started) is killed and the run fails naming the tool.
/// </summary>
public sealed class CliWrapCommandRunner : ICommandRunner
{
    /// <summary>How long a tool may run unless the command line says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How much a tool may print on each of stdout and stderr (a ruleset listing of a large router fits many times).</summary>
    public const int DefaultOutputLimit = 16 * 1024 * 1024;

    /// <summary>Creates a runner.</summary>
    public CliWrapCommandRunner(ToolLocator locator, TimeSpan timeout, int outputLimit = DefaultOutputLimit)
    {
        ArgumentNullException.ThrowIfNull(locator);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLimit, 1);
        Locator = locator;
        Timeout = timeout;
        OutputLimit = outputLimit;
    }

    /// <summary>
    /// The process's runner, used wherever no other is given: the system directories and the default timeout
    /// until the command line calls <see cref="UseForProcess"/> (once, at start).
    /// </summary>
    public static CliWrapCommandRunner Instance { get; private set; } = new(ToolLocator.System, DefaultTimeout);

    /// <summary>Where tools are found.</summary>
    public ToolLocator Locator { get; }

    /// <summary>The deadline of each run.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The cap on each captured stream, in bytes.</summary>
    public int OutputLimit { get; }

    /// <summary>Makes <paramref name="runner"/> the process's runner (<see cref="Instance"/>).</summary>
    public static void UseForProcess(CliWrapCommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        Instance = runner;
    }

    /// <inheritdoc/>
    public string Locate(string program) => Path.IsPathFullyQualified(program) ? program : Locator.Locate(program);

    /// <inheritdoc/>
    public async Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var path = Locate(program);
        var tool = Path.GetFileName(program);
        var stdout = new BoundedCapture(OutputLimit);
        var stderr = new BoundedCapture(OutputLimit);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stdout.Overflowed += deadline.Cancel;
        stderr.Overflowed += deadline.Cancel;
        deadline.CancelAfter(Timeout);

        // The working directory is "/": a tool never sees (or resolves anything against) the caller's.
        var command = Cli.Wrap(path)
            .WithArguments(arguments)
            .WithWorkingDirectory("/")
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.Create(stdout.ReadAsync))
            .WithStandardErrorPipe(PipeTarget.Create(stderr.ReadAsync));
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        }

        try
        {
            // Cancelling kills the process tree (CliWrap's forceful cancellation).
            var running = command.ExecuteAsync(deadline.Token);
            var processId = running.ProcessId; // nf_tables stamps it on what the tool commits
            var result = await running.ConfigureAwait(false);
            return new CommandResult(result.ExitCode, stdout.Text, stderr.Text, processId);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (stdout.Overflow || stderr.Overflow)
            {
                throw new NetfilterException(
                    string.Create(CultureInfo.InvariantCulture, $"{tool} printed more than {OutputLimit / (1024 * 1024.0):0.#} MiB on {(stdout.Overflow ? "stdout" : "stderr")} and was stopped"),
                    tool, -1, "");
            }

            throw new NetfilterException(
                string.Create(CultureInfo.InvariantCulture, $"{tool} did not finish within {Timeout.TotalSeconds:0.#} s and was killed ({path} {string.Join(' ', arguments)})"),
                tool, -1, "");
        }
    }

    // Reads a stream into memory up to a limit; beyond it, signals once and discards the rest.
    private sealed class BoundedCapture(int limit)
    {
        private readonly MemoryStream _buffer = new();

        public event Action? Overflowed;

        public bool Overflow { get; private set; }

        public string Text => Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);

        public async Task ReadAsync(Stream source, CancellationToken cancellationToken)
        {
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (_buffer.Length + read > limit)
                {
                    if (!Overflow)
                    {
                        Overflow = true;
                        Overflowed?.Invoke();
                    }

                    continue;
                }

                _buffer.Write(chunk, 0, read);
            }
        }
    }
}
