using System.ComponentModel;
using System.Text.RegularExpressions;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;

namespace RedirectRouter.Netfilter;

/// <summary>Finds out, once, which netfilter tools and kernel features are there.</summary>
public static partial class NetfilterProbe
{
    [GeneratedRegex(@"v(?<version>\d+\.\d+(?:\.\d+)?)(?:\s+\((?<variant>[^)]+)\))?")]
    private static partial Regex VersionLine();

    /// <summary>Probes the tools (versions, flavour) and whether our nftables ruleset loads in <paramref name="target"/> (a dry run: nothing changes).</summary>
    public static async Task<NetfilterCapabilities> ProbeAsync(ICommandRunner runner, NetfilterTarget target, IptablesTools? iptables = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(target);
        iptables ??= IptablesTools.Default;

        var (iptVersion, variant) = await VersionOf(runner, iptables.Version, cancellationToken).ConfigureAwait(false);
        var ipt6 = iptVersion is not null && (await TryRun(runner, iptables.Restore6, ["--version"], cancellationToken).ConfigureAwait(false))?.Succeeded == true;
        var (nftVersion, _) = await VersionOf(runner, "nft", cancellationToken).ConfigureAwait(false);

        string? problem = null;
        if (nftVersion is null)
        {
            problem = "nft not found";
        }
        else if (nftVersion < NetfilterCapabilities.NftMinVersion)
        {
            problem = $"nft {nftVersion} is older than {NetfilterCapabilities.NftMinVersion}";
        }
        else
        {
            // nft --check sends the transaction to the kernel and aborts it: it proves kernel support without changing anything.
            var check = await target.RunAsync(runner, "nft", ["--check", "-f", "-"], NftRenderer.ProbeRuleset, cancellationToken).ConfigureAwait(false);
            if (!check.Succeeded)
            {
                problem = $"the kernel refused a test ruleset: {check.StandardError.Trim()}";
            }
        }

        return new NetfilterCapabilities(KernelVersion(), iptables, iptVersion, iptVersion is null ? IptablesVariant.None : variant, ipt6,
            nftVersion, problem is null, problem);
    }

    /// <summary>Parses "iptables v1.8.9 (nf_tables)", "iptables v1.4.21", "nftables v1.0.6 (Lester Gooch #5)".</summary>
    internal static (Version? Version, IptablesVariant Variant) ParseVersion(string text)
    {
        var match = VersionLine().Match(text);
        if (!match.Success)
        {
            return (null, IptablesVariant.None);
        }

        var version = Version.Parse(match.Groups["version"].Value);
        var variant = match.Groups["variant"].Value.Contains("nf_tables", StringComparison.Ordinal) ? IptablesVariant.NfTables : IptablesVariant.Legacy;
        return (version, variant);
    }

    private static async Task<(Version?, IptablesVariant)> VersionOf(ICommandRunner runner, string program, CancellationToken cancellationToken)
    {
        var result = await TryRun(runner, program, ["--version"], cancellationToken).ConfigureAwait(false);
        return result is { Succeeded: true } ? ParseVersion(result.StandardOutput + result.StandardError) : (null, IptablesVariant.None);
    }

    private static async Task<CommandResult?> TryRun(ICommandRunner runner, string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(program, arguments, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Win32Exception or CliWrap.Exceptions.CliWrapException or FileNotFoundException)
        {
            return null; // not installed
        }
    }

    private static Version KernelVersion()
    {
        // "6.18.44-fc-v669": Environment.OSVersion parses the numeric prefix of uname -r on Linux.
        var v = Environment.OSVersion.Version;
        return new Version(v.Major, Math.Max(0, v.Minor), Math.Max(0, v.Build));
    }
}
