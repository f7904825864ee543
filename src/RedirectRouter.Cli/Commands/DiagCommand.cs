using System.CommandLine;
using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Diagnostics;
using RedirectRouter.Agent.Inputs;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Parsing.OpenShift;

namespace RedirectRouter.Cli.Commands;

/// <summary>
/// <c>redirect-router diag [--netns NAME|PATH | --pid PID] [--host-netns PATH] [--config FILE] [--output text|json]
/// [--probe] [--metrics HOST:PORT] [--watch]</c>: inspects a live router, read-only, and says what is wrong.
/// Exit codes: 0 healthy, 1 degraded, 2 usage, 3 cannot inspect.
/// </summary>
public static class DiagCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var hostNetns = new Option<string?>("--host-netns") { Description = "The node's network namespace, where the parent NICs live (default: the configuration's, else the one diag runs in when it inspects another)." };
        var config = ConfigInput.CreateOption();
        var output = new Option<string>("--output", "-o") { Description = "text or json (the schema is docs/diag.schema.json).", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var probe = new Option<bool>("--probe") { Description = "Actively check each IPv4 gateway (ARP) and probe for another holder of each IPv4 egress address. Sends ARP probes, changes nothing." };
        var probeWindow = new Option<int>("--probe-window") { Description = "Milliseconds each probe waits for an answer (50..5000).", DefaultValueFactory = _ => 500 };
        var metrics = new Option<string?>("--metrics") { Description = "The agent's health endpoint HOST:PORT, reached from inside the router's namespace." };
        var watch = new Option<bool>("--watch", "-w") { Description = "Report again every --interval seconds until interrupted (JSON: one document per line)." };
        var interval = new Option<double>("--interval") { Description = "Seconds between reports with --watch (0.2..3600).", DefaultValueFactory = _ => 2 };
        var count = new Option<int>("--count") { Description = "With --watch: stop after this many reports (0: until interrupted).", DefaultValueFactory = _ => 0 };

        var command = new Command("diag", "Inspect a live egress router (read-only) and say what is wrong. Exit code 0 healthy, 1 degraded, 2 usage, 3 cannot inspect.");
        var target = new NamespaceTargetOptions(command, "The PID of any process in the router's pod (its /proc/PID/ns/net is inspected).");
        var tools = new ToolOptions(command);
        foreach (var option in new Option[] { hostNetns, config, output, probe, probeWindow, metrics, watch, interval, count })
        {
            command.Options.Add(option);
        }

        probeWindow.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 50 or > 5000)
            {
                result.AddError("--probe-window must be 50..5000 ms");
            }
        });
        interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is < 0.2 or > 3600)
            {
                result.AddError("--interval must be 0.2..3600 seconds");
            }
        });
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--count must be 0 or more");
            }
        });
        metrics.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } address && !DiagCollector.TryParseEndpoint(address, out _))
            {
                result.AddError($"--metrics '{address}' is not HOST:PORT with an IP address (for example 127.0.0.1:9100)");
            }
        });

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            // A missing tool is not fatal here: that part of the report says so.
            if (!tools.Apply(parseResult, context, out var toolError))
            {
                return toolError;
            }

            var options = new DiagOptions
            {
                Netns = target.NetnsValue(parseResult, context),
                Pid = parseResult.GetValue(target.Pid),
                HostNetns = parseResult.GetValue(hostNetns) is { } host ? context.FullPath(host) : null,
                Probe = parseResult.GetValue(probe),
                ProbeWindow = TimeSpan.FromMilliseconds(parseResult.GetValue(probeWindow)),
                MetricsAddress = parseResult.GetValue(metrics),
                ToolTimeout = TimeSpan.FromSeconds(parseResult.GetValue(tools.Timeout)),
            };
            if (!ResolveConfig(context, parseResult.GetValue(config), options, out options))
            {
                return ExitCodes.BadInput;
            }

            var json = parseResult.GetValue(output) == "json";
            var color = !json && ReferenceEquals(context.Stdout, Console.Out) && !Console.IsOutputRedirected
                && !context.Environment.ContainsKey("NO_COLOR");
            using var loggers = AgentLogging.CreateFactory("text", debug: false);
            var collector = new DiagCollector(loggers.CreateLogger<DiagCollector>());
            var reports = parseResult.GetValue(watch) ? parseResult.GetValue(count) : 1;
            var pause = TimeSpan.FromSeconds(parseResult.GetValue(interval));
            var exitCode = ExitCodes.Ok;
            for (var i = 0; reports == 0 || i < reports; i++)
            {
                if (i > 0)
                {
                    try
                    {
                        await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                DiagFacts facts;
                try
                {
                    facts = await collector.CollectAsync(options, cancellationToken).ConfigureAwait(false);
                }
                catch (DiagInspectException e)
                {
                    context.Stderr.WriteLine($"error: {e.Message}");
                    return ExitCodes.MissingPrivilegeOrTool;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                var causes = DiagAnalyzer.Analyze(facts);
                var now = DateTimeOffset.UtcNow;
                if (json)
                {
                    context.Stdout.WriteLine(DiagReport.ToJson(facts, causes, now, indented: reports == 1));
                }
                else
                {
                    if (i > 0)
                    {
                        context.Stdout.Write(color ? "\u001b[H\u001b[2J" : "\n");
                    }

                    context.Stdout.Write(DiagTextWriter.Write(facts, causes, now, color));
                }

                context.Stdout.Flush();
                exitCode = DiagAnalyzer.ExitCodeOf(causes);
            }

            return exitCode;
        });
        return command;
    }

    // The desired state: --config; else the OpenShift variables of the inspected process (--pid) or, inspecting
    // our own namespace, of this process. A broken environment of another process is reported and not used.
    private static bool ResolveConfig(CliContext context, string? configPath, DiagOptions options, out DiagOptions resolved)
    {
        resolved = options;
        if (configPath is not null)
        {
            var result = ConfigInput.Load(context, configPath);
            if (result is null)
            {
                return false;
            }

            ConfigInput.Report(context, result.Diagnostics);
            if (result.Config is null)
            {
                return false;
            }

            resolved = options with { Config = result.Config, ConfigSource = "file", ConfigPath = configPath };
            return true;
        }

        if (options.Pid is { } pid && PodConfigReader.Read(pid, hostNetnsGiven: options.HostNetns is not null) is { } pod)
        {
            foreach (var message in pod.Messages)
            {
                context.Stderr.WriteLine(message);
            }

            if (pod.Config is not null)
            {
                resolved = options with { Config = pod.Config, ConfigSource = "pid-environment" };
            }

            return true;
        }

        if (options.Pid is null && options.Netns is null && context.Environment.ContainsKey(OpenShiftVariables.Source))
        {
            var (_, result) = ConfigInput.LoadEnvironment(context);
            ConfigInput.Report(context, result.Diagnostics);
            if (result.Config is null)
            {
                return false;
            }

            resolved = options with { Config = result.Config, ConfigSource = "environment" };
        }

        return true;
    }
}
