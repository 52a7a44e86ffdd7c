using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Logging;

/// <summary>
/// One line per event on stderr (the service manager collects it): time, level, category, message, and the
/// exception's message. Written by hand instead of Microsoft.Extensions.Logging.Console to keep the
/// dependency-injection and options graph out of the NativeAOT binary; the agent needs nothing more.
/// </summary>
internal sealed class StderrLogger : ILogger
{
    private static readonly Lock Gate = new();
    private readonly string _category;
    private readonly LogLevel _minimum;
    private readonly TextWriter _writer;

    public StderrLogger(string category, LogLevel minimum, TextWriter? writer = null)
    {
        _category = category;
        _minimum = minimum;
        _writer = writer ?? Console.Error;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(formatter);
        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {Level(logLevel)} {_category}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}";
        lock (Gate)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };
}
