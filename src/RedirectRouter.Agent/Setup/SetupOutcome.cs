using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;

namespace RedirectRouter.Agent.Setup;

/// <summary>A router that is set up: its namespaces, its netfilter backend, what it holds, and how long each step took.</summary>
public sealed class SetupOutcome : IDisposable
{
    /// <summary>Creates the outcome.</summary>
    public SetupOutcome(RouterNamespaces namespaces, RouterConvergence convergence, INetfilterBackend backend, NetfilterCapabilities capabilities, DesiredState desired, IReadOnlyList<(string Step, TimeSpan Time)> timings, TimeSpan total)
    {
        Total = total;
        Convergence = convergence;
        Namespaces = namespaces;
        Capabilities = capabilities;
        Backend = backend;
        Desired = desired;
        Timings = timings;
    }

    /// <summary>The router's (and the node's) namespace handles.</summary>
    public RouterNamespaces Namespaces { get; }

    /// <summary>The operation that set the router up, and that reloads and repairs go through.</summary>
    public RouterConvergence Convergence { get; }

    /// <summary>The network reconciler that set the router up (it remembers the addresses it claimed).</summary>
    public NetworkReconciler Reconciler => Convergence.Reconciler;

    /// <summary>The netfilter backend in use.</summary>
    public INetfilterBackend Backend { get; }

    /// <summary>What the machine's netfilter tools support.</summary>
    public NetfilterCapabilities Capabilities { get; }

    /// <summary>The state that was set up.</summary>
    public DesiredState Desired { get; set; }

    /// <summary>Each step's duration, in order (the netfilter step runs alongside the network steps, so they overlap).</summary>
    public IReadOnlyList<(string Step, TimeSpan Time)> Timings { get; }

    /// <summary>The whole setup, from the first probe to the first announcement.</summary>
    public TimeSpan Total { get; }

    /// <summary>Closes the namespace handles.</summary>
    public void Dispose()
    {
        Convergence.Dispose();
        (Backend as IDisposable)?.Dispose();
        Namespaces.Dispose();
    }
}
