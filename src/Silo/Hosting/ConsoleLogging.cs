using Microsoft.Extensions.Logging;

namespace RuralCredit.Silo.Hosting;

/// <summary>Console logging of the API host and the silos.</summary>
public static class ConsoleLogging
{
    /// <summary>Local date and time to the millisecond, in front of every console line unless configured otherwise.</summary>
    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";

    /// <summary>
    /// Every console line starts with its local time, so that an operator can tell when a silo stopped, how long a
    /// stage of a shutdown took, or what happened around a failed request. <c>Logging:Console:FormatterOptions</c>
    /// still decides when it sets <c>TimestampFormat</c>.
    /// </summary>
    public static ILoggingBuilder AddTimestampedConsole(this ILoggingBuilder logging) =>
        logging.AddSimpleConsole(o => o.TimestampFormat ??= TimestampFormat);
}
