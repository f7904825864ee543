namespace RedirectRouter.Core.Parsing.OpenShift;

/// <summary>What egress-router.sh prints in unit-test mode.</summary>
/// <param name="Rules">The rule lines, for stdout.</param>
/// <param name="Error">The message it stops with (the last line on stderr, exit 1); null on success.</param>
public sealed record UnitTestOutput(IReadOnlyList<string> Rules, string? Error);
