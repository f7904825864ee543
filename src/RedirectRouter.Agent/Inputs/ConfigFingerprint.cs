using System.IO.Hashing;
using System.Text;

namespace RedirectRouter.Agent.Inputs;

/// <summary>What the supervisor compares to tell a changed configuration file from a rewrite of the same content.</summary>
public static class ConfigFingerprint
{
    /// <summary>
    /// The fingerprint of <paramref name="text"/>. Change detection only, so a non-cryptographic hash:
    /// System.Security.Cryptography would load OpenSSL, and in the statically linked binary that dlopen brings a
    /// second libc into the process (docs/building.md).
    /// </summary>
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexString(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));
    }
}
