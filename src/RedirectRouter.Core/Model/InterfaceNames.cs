namespace RedirectRouter.Core.Model;

/// <summary>The kernel's rule for interface names (dev_valid_name): 1..15 bytes, not "." or "..", no '/', ':' or white space.</summary>
public static class InterfaceNames
{
    /// <summary>IFNAMSIZ minus the terminating NUL.</summary>
    public const int MaxLength = 15;

    /// <summary>Whether the kernel would accept <paramref name="name"/>.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && name is not "." and not ".."
        && !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || c > '~' || c < '!');
}
