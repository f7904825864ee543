namespace RedirectRouter.Core.Planning;

/// <summary>
/// Turns the backend-neutral <see cref="NatModel"/> into the text a netfilter tool loads
/// (iptables-restore or nft -f). Implemented by RedirectRouter.Netfilter; <c>plan</c> prints it.
/// </summary>
public interface IRulesetRenderer
{
    /// <summary>The backend name: "iptables" or "nftables".</summary>
    string Backend { get; }

    /// <summary>The full ruleset text for <paramref name="nat"/>.</summary>
    string Render(NatModel nat);
}
