using System.Globalization;
using RedirectRouter.Agent.Inputs;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Parsing.OpenShift;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>The desired state read from an OpenShift-style router process, and what diag should tell the user about it.</summary>
/// <param name="Config">The configuration; null when the variables are not a valid one (the desired state is inferred then).</param>
/// <param name="Messages">Lines for standard error (<c>warning: ...</c>, <c>note: ...</c>), in order.</param>
public sealed record PodConfig(RouterConfig? Config, IReadOnlyList<string> Messages);

/// <summary>
/// Reads the desired state of a router pod from its process: the <c>EGRESS_*</c> variables of
/// <c>/proc/PID/environ</c> and the destination file they name, resolved inside the pod's root.
/// </summary>
public static class PodConfigReader
{
    /// <summary>The pod's configuration; null when the process has no <c>EGRESS_SOURCE</c> or its environment cannot be read.</summary>
    /// <param name="pid">The process.</param>
    /// <param name="hostNetnsGiven">Whether the user named the node namespace (--host-netns): else a path the pod names is dropped, with a note.</param>
    public static PodConfig? Read(int pid, bool hostNetnsGiven)
    {
        if (ReadEnvironment(pid) is not { } environment || !environment.ContainsKey(OpenShiftVariables.Source))
        {
            return null;
        }

        var messages = new List<string>();
        string? destinations = null;
        if (environment.TryGetValue(OpenShiftVariables.DestinationFile, out var file) && file.Length > 0)
        {
            // The pod's file as the pod sees it: resolved inside its root, so a symbolic link in the pod
            // never makes diag (root on the node) read a node file; bounded like any input.
            var root = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/root";
            try
            {
                destinations = BoundedFile.Decode(BoundedFile.ReadInRoot(root, file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                messages.Add($"warning: the {OpenShiftVariables.DestinationFile} of process {pid} cannot be read: {e.Message}");
            }
        }

        var (_, result) = ConfigLoader.LoadEnvironment(environment, destinations);
        var config = result.Config;
        if (config is null)
        {
            messages.Add($"warning: the EGRESS_* variables of process {pid} are not a valid configuration; the desired state is inferred instead");
        }
        else if (config.Settings.HostNetns is { } podHostNetns && !hostNetnsGiven)
        {
            // A path chosen by the inspected pod is never opened as a node path.
            messages.Add($"note: process {pid} names the node namespace {podHostNetns} ({OpenShiftVariables.HostNetns}); a path from the inspected pod is not opened on the node: give --host-netns to inspect the parent NICs there");
            config = config with { Settings = config.Settings with { HostNetns = null } };
        }

        return new PodConfig(config, messages);
    }

    private static Dictionary<string, string>? ReadEnvironment(int pid)
    {
        try
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = entry.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    environment[entry[..equals]] = entry[(equals + 1)..];
                }
            }

            return environment;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
