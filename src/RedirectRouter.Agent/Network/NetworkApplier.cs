using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;
using LinkSpec = RedirectRouter.Core.Planning.LinkSpec;
using NlAddress = RedirectRouter.Netlink.Model.InterfaceAddress;

namespace RedirectRouter.Agent.Network;

/// <summary>
/// Carries out the differ's actions through rtnetlink, in order. Each action is idempotent (replace
/// rather than add where the kernel allows), so a setup interrupted at any point converges when run
/// again. A failure names its step and the object.
/// </summary>
public sealed partial class NetworkApplier
{
    private readonly INetworkDriver _driver;
    private readonly NetworkSettings _settings;
    private readonly ILogger<NetworkApplier> _logger;

    // Addresses this process has already probed for and claimed. Re-adding one after drift (flushed
    // addresses, a re-made macvlan) skips the probe: we held it a moment ago, and repairs must be fast.
    private readonly HashSet<System.Net.IPAddress> _claimed = [];

    /// <summary>Creates the applier.</summary>
    public NetworkApplier(INetworkDriver driver, NetworkSettings settings, ILogger<NetworkApplier> logger)
    {
        _driver = driver;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>Applies <paramref name="actions"/>; <paramref name="links"/> are the router's links by name, as observed.</summary>
    public void Apply(IReadOnlyList<ReconcileAction> actions, IReadOnlyDictionary<string, Link> links)
    {
        var known = new Dictionary<string, Link>(links, StringComparer.Ordinal);
        foreach (var action in actions)
        {
            try
            {
                ApplyOne(action, known);
                LogApplied(_logger, Describe(action));
            }
            catch (KernelException e)
            {
                throw new SetupException(StepOf(action), $"{Describe(action)} failed: {e.Message}", e);
            }
        }
    }

    /// <summary>The step an action belongs to, as named in errors and logs.</summary>
    public static string StepOf(ReconcileAction action) => action switch
    {
        CreateLink or DeleteLink or SetLinkMtu or SetLinkUp or AdoptedLinkMissing => "links",
        AddAddress or DeleteAddress => "addresses",
        AddRoute or ReplaceRoute or DeleteRoute => "routes",
        AddRule or DeleteRule => "rules",
        _ => "network",
    };

    /// <summary>The action in iproute2 words.</summary>
    public static string Describe(ReconcileAction action) => action switch
    {
        CreateLink c => $"create macvlan {c.Link.Name} (parent {c.Link.Parent ?? "default-route NIC"}, mode {c.Link.Mode.ToString().ToLowerInvariant()})",
        DeleteLink d => $"delete link {d.Link.Name}",
        SetLinkMtu m => $"set {m.Name} mtu {m.Mtu}",
        SetLinkUp u => $"set {u.Name} up",
        AdoptedLinkMissing a => $"adopt {a.Name}",
        AddAddress a => $"add address {a.Address.Address} on {a.Address.Interface}",
        DeleteAddress a => $"delete address {a.Address.Address} from {a.Address.Interface}",
        AddRoute r => $"add route {Route(r.Route)}",
        ReplaceRoute r => $"replace route {Route(r.Route)}",
        DeleteRoute r => $"delete route {Route(r.Route)}",
        AddRule r => $"add rule {Rule(r.Rule)}",
        DeleteRule r => $"delete rule {Rule(r.Rule)}",
        _ => action.ToString(),
    };

    private void ApplyOne(ReconcileAction action, Dictionary<string, Link> links)
    {
        var own = _driver;
        switch (action)
        {
            case AdoptedLinkMissing missing:
                throw new SetupException("links", $"the interface {missing.Name} is to be adopted, but it does not exist in the router's namespace");
            case CreateLink create:
                links[create.Link.Name] = CreateMacvlan(create.Link);
                break;
            case DeleteLink delete:
                var victim = Require(links, delete.Link.Name);
                if (victim.Alias != Ownership.LinkAlias)
                {
                    throw new SetupException("links", $"{victim.Name} exists but was not created by redirect-router (it must be re-made to change its parent or mode); remove it, or adopt it with the matching mode");
                }

                own.LinkDelete(victim.Index);
                links.Remove(delete.Link.Name);
                break;
            case SetLinkMtu mtu:
                own.LinkSetMtu(Require(links, mtu.Name).Index, mtu.Mtu);
                break;
            case SetLinkUp up:
                own.LinkSetUp(Require(links, up.Name).Index);
                break;
            case AddAddress add:
                AddAddressSafely(add.Address, Require(links, add.Address.Interface));
                break;
            case DeleteAddress remove:
                own.AddrDelete(ToKernel(remove.Address, Require(links, remove.Address.Interface)));
                break;
            case AddRoute add:
                own.RouteReplace(KernelModelMapping.ToKernel(add.Route, Require(links, add.Route.Interface).Index));
                break;
            case ReplaceRoute replace:
                own.RouteReplace(KernelModelMapping.ToKernel(replace.Route, Require(links, replace.Route.Interface).Index));
                break;
            case DeleteRoute delete:
                var oif = links.TryGetValue(delete.Route.Interface, out var l) ? l.Index : 0;
                IgnoreNotFound(() => own.RouteDelete(KernelModelMapping.ToKernel(delete.Route, oif) with { Protocol = Ownership.RouteProtocol }));
                break;
            case AddRule add:
                try
                {
                    own.RuleAdd(KernelModelMapping.ToKernel(add.Rule));
                }
                catch (NetlinkException e) when (e.IsAlreadyExists)
                {
                    // Already there: the goal holds.
                }

                break;
            case DeleteRule delete:
                IgnoreNotFound(() => own.RuleDelete(KernelModelMapping.ToKernel(delete.Rule)));
                break;
            default:
                throw new InvalidOperationException($"unknown action {action}");
        }
    }

    private Link CreateMacvlan(LinkSpec spec)
    {
        // The kernel takes no alias on creation. So the link is made under a temporary name and gets its real name
        // and our alias in one later request: a crash in between leaves a link no plan names, never one that
        // carries a wanted name without our mark (which would then be taken for an adopted link).
        var temporary = TemporaryLinkName();
        try
        {
            _driver.MacvlanAdd(temporary, spec.Parent, KernelModelMapping.ToKernel(spec.Mode), spec.Mtu);
        }
        catch (SetupException e) when (e.Message.Contains(temporary, StringComparison.Ordinal))
        {
            // An admin reads the link by the name the plan gives it, not by its name of a moment.
            throw new SetupException(e.Step, e.Reason.Replace(temporary, spec.Name, StringComparison.Ordinal), e);
        }

        var own = _driver;
        var created = own.LinkGetByName(temporary) ?? throw new SetupException("links", $"{spec.Name} was created (as {temporary}) but did not appear in the router's namespace");
        try
        {
            own.LinkRename(created.Index, spec.Name, Ownership.LinkAlias);
        }
        catch (NetlinkException)
        {
            IgnoreNotFound(() => own.LinkDelete(created.Index));
            throw;
        }

        own.LinkSetUp(created.Index);
        return own.LinkGetByIndex(created.Index) ?? created;
    }

    /// <summary>The prefix of the name a macvlan has between its creation and its naming ("rrnew" + 8 hex digits).</summary>
    public const string TemporaryLinkPrefix = "rrnew";

    private static string TemporaryLinkName() =>
        TemporaryLinkPrefix + Random.Shared.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    private void AddAddressSafely(AddressSpec spec, Link link)
    {
        var own = _driver;
        var address = spec.Address.Address;
        if (address.AddressFamily == AddressFamily.InterNetwork && _settings.DuplicateProbeWindow > TimeSpan.Zero
            && !_claimed.Contains(address)
            && !own.AddrList(AddressFamily.InterNetwork, link.Index).Any(a => a.Address.Equals(address)))
        {
            var mac = link.MacAddress ?? throw new SetupException("addresses", $"{link.Name} has no MAC address");
            var conflict = _driver.ProbeDuplicateAddress(link.Index, mac, address, _settings.DuplicateProbeWindow, _settings.DuplicateProbeCount);
            if (conflict is not null)
            {
                throw new SetupException("addresses", $"refusing to claim {address} on {link.Name}: {conflict}; nothing was claimed");
            }
        }

        own.AddrReplace(ToKernel(spec, link));
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            WaitForIpv6Dad(spec, link);
        }

        _claimed.Add(address);
    }

    private void WaitForIpv6Dad(AddressSpec spec, Link link)
    {
        var own = _driver;
        var deadline = DateTime.UtcNow + _settings.Ipv6DadTimeout;
        while (true)
        {
            var current = own.AddrList(AddressFamily.InterNetworkV6, link.Index).FirstOrDefault(a => a.Address.Equals(spec.Address.Address));
            if (current is null)
            {
                throw new SetupException("addresses", $"{spec.Address} vanished from {link.Name} during duplicate address detection");
            }

            if ((current.Flags & AddressFlags.DadFailed) != 0)
            {
                own.AddrDelete(current);
                throw new SetupException("addresses", $"refusing to claim {spec.Address.Address} on {link.Name}: IPv6 duplicate address detection failed (another host has it); the address was removed again");
            }

            if ((current.Flags & AddressFlags.Tentative) == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new SetupException("addresses", $"{spec.Address.Address} on {link.Name} is still tentative after {_settings.Ipv6DadTimeout.TotalSeconds:0.#} s (is the link up with carrier?)");
            }

            Thread.Sleep(50);
        }
    }

    private static NlAddress ToKernel(AddressSpec spec, Link link) => new()
    {
        InterfaceIndex = link.Index,
        Address = spec.Address.Address,
        PrefixLength = spec.Address.PrefixLength,
    };

    private static Link Require(Dictionary<string, Link> links, string name) =>
        links.TryGetValue(name, out var link) ? link : throw new SetupException("links", $"the interface {name} does not exist in the router's namespace");

    private static void IgnoreNotFound(Action action)
    {
        try
        {
            action();
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
            // Already gone: the goal holds.
        }
    }

    private static string Route(RouteEntry r) =>
        $"{r.Destination}{(r.NextHops.Count > 0 ? " via " + string.Join(", ", r.NextHops) : "")} dev {r.Interface}{(r.Table == Planner.MainTable ? "" : $" table {r.Table}")}";

    private static string Rule(PolicyRule r) =>
        $"priority {r.Priority}{(r.FirewallMark is { } m ? $" fwmark 0x{m:x}" : "")}{(r.From is { } f ? $" from {f}" : "")} lookup {r.Table}";

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "network: {Action}")]
    private static partial void LogApplied(ILogger logger, string action);
}
