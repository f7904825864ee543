namespace RedirectRouter.Agent.Setup;

/// <summary>A capability or tool the agent needs is missing (exit code 3); the message names it.</summary>
public sealed class MissingPrerequisiteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MissingPrerequisiteException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
