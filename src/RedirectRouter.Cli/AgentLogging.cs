using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace RedirectRouter.Cli;

/// <summary>The only place logging is set up: Serilog to stderr, as text or JSON lines; stdout stays for results.</summary>
public static class AgentLogging
{
    /// <summary>Creates the Serilog logger for <paramref name="format"/> (<c>text</c> or <c>json</c>).</summary>
    public static Serilog.ILogger Create(string format, bool debug)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(debug ? LogEventLevel.Debug : LogEventLevel.Information)
            .Enrich.FromLogContext();
        configuration = format == "json"
            ? configuration.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose)
            : configuration.WriteTo.Console(
                outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} {Level:u3} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        return configuration.CreateLogger();
    }

    /// <summary>A logger factory over Serilog for the commands that do not start the host.</summary>
    public static ILoggerFactory CreateFactory(string format, bool debug) =>
        LoggerFactory.Create(builder => builder.AddSerilog(Create(format, debug), dispose: true));
}
