namespace RedirectRouter.Cli;

/// <summary>The process exit codes, in one place; scripts and operators rely on them.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A runtime failure: the kernel or a tool refused, or a background service failed.</summary>
    public const int RuntimeFailure = 1;

    /// <summary>Bad input or bad usage; nothing on the machine was changed.</summary>
    public const int BadInput = 2;

    /// <summary>A privilege (CAP_NET_ADMIN) or a required tool is missing.</summary>
    public const int MissingPrivilegeOrTool = 3;
}
