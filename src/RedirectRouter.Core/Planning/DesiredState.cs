namespace RedirectRouter.Core.Planning;

/// <summary>Everything the agent should make true: the network part and the NAT part.</summary>
/// <param name="Network">Links, addresses, routes, rules.</param>
/// <param name="Nat">The NAT model.</param>
public sealed record DesiredState(NetworkState Network, NatModel Nat);
