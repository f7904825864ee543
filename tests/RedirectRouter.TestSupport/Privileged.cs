using Xunit;

namespace RedirectRouter.TestSupport;

/// <summary>
/// Gate for tests that need root to create network namespaces. They skip on a developer machine
/// without root, but when <c>CI</c> is set they must run, so a missing privilege fails the test.
/// </summary>
public static class Privileged
{
    /// <summary>True when the <c>CI</c> environment variable is set to anything but empty or false.</summary>
    public static bool IsCi =>
        Environment.GetEnvironmentVariable("CI") is { Length: > 0 } value && !value.Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (or, under CI, fails) the calling test unless the process is root.</summary>
    public static void Require()
    {
        if (Environment.IsPrivilegedProcess)
        {
            return;
        }

        const string reason = "needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) to create network namespaces";
        if (IsCi)
        {
            throw new InvalidOperationException($"CI is set, so kernel tests must run, but this test {reason}.");
        }

        Assert.Skip(reason);
    }
}
