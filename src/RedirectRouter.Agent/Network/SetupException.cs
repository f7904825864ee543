namespace RedirectRouter.Agent.Network;

/// <summary>A setup step failed; the message says which step and why, in words an operator can act on.</summary>
public sealed class SetupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SetupException(string step, string message, Exception? inner = null)
        : base($"{step}: {message}", inner)
    {
        Step = step;
        Reason = message;
    }

    /// <summary>Why, without the step's name.</summary>
    public string Reason { get; }

    /// <summary>The step that failed (for example <c>addresses</c>).</summary>
    public string Step { get; }
}
