using System.Text;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Netfilter;

/// <summary>
/// The difference between the rendered ruleset and what the kernel holds, read back after an apply
/// (or on demand). Each entry is one rule, element, chain or table, in the tool's own syntax, prefixed
/// with where it lives (e.g. <c>iptables nat: -A RR-DNAT ...</c> or <c>ip redirect_router map dnat_ports: tcp . 80 : ...</c>).
/// </summary>
/// <param name="Backend">"iptables" or "nftables".</param>
/// <param name="Missing">Rendered but not in the kernel (deleted, flushed, never applied).</param>
/// <param name="Extra">In our chains or table but not rendered (inserted by someone else, duplicates, stale).</param>
/// <param name="Shadowing">Foreign rules outside our chains that take traffic before our rules see it.</param>
public sealed record DriftReport(string Backend, ValueList<string> Missing, ValueList<string> Extra, ValueList<string> Shadowing)
{
    /// <summary>True when the kernel holds exactly what was rendered and nothing shadows it.</summary>
    public bool IsClean => Missing.Count == 0 && Extra.Count == 0 && Shadowing.Count == 0;

    /// <summary>A report without differences.</summary>
    public static DriftReport Clean(string backend) => new(backend, [], [], []);

    /// <summary>One line per difference, "missing: ...", "extra: ...", "shadowed by: ...", or "no drift".</summary>
    public override string ToString()
    {
        if (IsClean)
        {
            return $"{Backend}: no drift";
        }

        var text = new StringBuilder();
        text.Append(Backend).Append(": drift (").Append(Missing.Count).Append(" missing, ").Append(Extra.Count).Append(" extra, ")
            .Append(Shadowing.Count).Append(" shadowing)\n");
        foreach (var line in Missing)
        {
            text.Append("  missing: ").Append(line).Append('\n');
        }
        foreach (var line in Extra)
        {
            text.Append("  extra: ").Append(line).Append('\n');
        }
        foreach (var line in Shadowing)
        {
            text.Append("  shadowed by: ").Append(line).Append('\n');
        }
        return text.ToString();
    }
}
