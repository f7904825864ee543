using Microsoft.Extensions.Logging;

namespace RedirectRouter.Netfilter;

/// <summary>The log messages of this library (source-generated, no allocation when disabled).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "{Backend}: applied {Bytes} bytes to {Target} ({Mode}) in {ApplyMs} ms, verified in {VerifyMs} ms")]
    public static partial void Applied(ILogger logger, string backend, int bytes, string target, string mode, long applyMs, long verifyMs);

    [LoggerMessage(2, LogLevel.Warning, "{Report}")]
    public static partial void Drift(ILogger logger, DriftReport report);

    [LoggerMessage(3, LogLevel.Warning, "nftables: incremental element update failed, replacing the table: {Error}")]
    public static partial void IncrementalFailed(ILogger logger, string error);

    [LoggerMessage(4, LogLevel.Information, "{Backend}: removed our rules from {Target}")]
    public static partial void CleanedUp(ILogger logger, string backend, string target);

    [LoggerMessage(8, LogLevel.Warning, "nftables: netlink unavailable, using nft for every read: {Error}")]
    public static partial void NativeUnavailable(ILogger logger, string error);

    [LoggerMessage(7, LogLevel.Information, "{Backend}: applied {Elements} element changes to {Target} ({Mode}) in {ApplyMs} ms, verified in {VerifyMs} ms")]
    public static partial void AppliedElements(ILogger logger, string backend, int elements, string target, string mode, long applyMs, long verifyMs);

    [LoggerMessage(6, LogLevel.Warning, "nftables: table {Family} {Table} in {Target} does not carry our comment: it is not ours, so it is left alone")]
    public static partial void ForeignTable(ILogger logger, string family, string table, string target);

    [LoggerMessage(5, LogLevel.Debug, "{Backend}: taking the xtables lock (iptables-restore {Version} has no --wait)")]
    public static partial void TakingLock(ILogger logger, string backend, Version? version);
}
