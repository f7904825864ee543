using RedirectRouter.Netfilter;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>Which of redirect-router's netfilter objects exist in a namespace: its nftables tables, its iptables <c>RR-*</c> chains.</summary>
/// <param name="NftTables">The families of our nftables tables (<c>ip</c>, <c>ip6</c>).</param>
/// <param name="IptablesChains">Our iptables chains, as <c>iptables nat RR-DNAT</c>.</param>
public sealed record NetfilterPresence(IReadOnlyList<string> NftTables, IReadOnlyList<string> IptablesChains)
{
    /// <summary>Any nftables table of ours.</summary>
    public bool Nftables => NftTables.Count > 0;

    /// <summary>Any iptables chain of ours.</summary>
    public bool Iptables => IptablesChains.Count > 0;

    /// <summary>Anything of ours.</summary>
    public bool Any => Nftables || Iptables;

    /// <summary>Reads both (a tool that is not installed counts as holding nothing).</summary>
    public static async Task<NetfilterPresence> ReadAsync(ICommandRunner runner, NetfilterTarget target, NetfilterCapabilities capabilities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(capabilities);
        var tables = new List<string>();
        if (capabilities.NftVersion is not null)
        {
            var list = await target.RunAsync(runner, "nft", ["list", "tables"], null, cancellationToken).ConfigureAwait(false);
            if (!list.Succeeded)
            {
                throw new NetfilterException($"nft list tables failed: {list.StandardError.Trim()}");
            }

            tables.AddRange(ParseNftTables(list.StandardOutput));
        }

        var chains = new List<string>();
        if (capabilities.IptablesUsable)
        {
            chains.AddRange(await ChainsAsync(runner, target, capabilities.Iptables.Save, "iptables", cancellationToken).ConfigureAwait(false));
            if (capabilities.Ip6tables)
            {
                chains.AddRange(await ChainsAsync(runner, target, capabilities.Iptables.Save6, "ip6tables", cancellationToken).ConfigureAwait(false));
            }
        }

        return new NetfilterPresence(tables, chains);
    }

    /// <summary>The families of our tables in <c>nft list tables</c> output.</summary>
    public static IEnumerable<string> ParseNftTables(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var line in output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is ["table", var family, var name] && name == NftRenderer.TableName)
            {
                yield return family;
            }
        }
    }

    /// <summary>Our chains in <c>iptables-save</c> output, as <c>LABEL TABLE CHAIN</c>.</summary>
    public static IEnumerable<string> ParseIptablesChains(string output, string label)
    {
        ArgumentNullException.ThrowIfNull(output);
        var table = "";
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith('*'))
            {
                table = line[1..].Trim();
            }
            else if (line.StartsWith(":" + IptablesRenderer.ChainPrefix, StringComparison.Ordinal))
            {
                yield return $"{label} {table} {line[1..].Split(' ')[0]}";
            }
        }
    }

    private static async Task<IEnumerable<string>> ChainsAsync(ICommandRunner runner, NetfilterTarget target, string save, string label, CancellationToken cancellationToken)
    {
        var result = await target.RunAsync(runner, save, [], null, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? ParseIptablesChains(result.StandardOutput, label).ToList() : [];
    }
}
