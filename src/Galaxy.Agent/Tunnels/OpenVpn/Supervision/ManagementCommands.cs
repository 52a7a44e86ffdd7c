using System.Globalization;
using System.Text;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>
/// The commands the supervisor sends, each one line ending in <c>\n</c>. Pure. OpenVPN splits a command
/// line into words like a configuration line: a word in double quotes may hold spaces, and inside it
/// <c>\\</c> and <c>\"</c> stand for a backslash and a quote (doc/management-notes.txt:
/// <c>password "Private Key" "foo\"bar"</c>). A line break cannot be sent at all, so a credential holding
/// one is refused when it is made (<see cref="OpenVpnCredentials"/>).
/// </summary>
internal static class ManagementCommands
{
    /// <summary>Real-time <c>&gt;STATE:</c> notifications.</summary>
    public const string StateOn = "state on\n";

    /// <summary>Real-time <c>&gt;LOG:</c> lines: the PUSH_REPLY (DNS servers, addresses) and TLS details arrive in order with the states.</summary>
    public const string LogOn = "log on\n";

    /// <summary>Leaves the hold: OpenVPN starts (or restarts) connecting.</summary>
    public const string HoldRelease = "hold release\n";

    /// <summary>Asks OpenVPN to exit cleanly (it tells the server with explicit-exit-notify when configured).</summary>
    public const string SignalTerm = "signal SIGTERM\n";

    /// <summary><c>bytecount N</c>: a <c>&gt;BYTECOUNT:</c> every N seconds (0 turns it off).</summary>
    public static string ByteCount(int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"bytecount {seconds}\n");
    }

    /// <summary><c>username "TYPE" "VALUE"</c>.</summary>
    public static string UserName(string type, string value) => "username " + Quote(type) + " " + Quote(value) + "\n";

    /// <summary><c>password "TYPE" "VALUE"</c>.</summary>
    public static string Password(string type, string value) => "password " + Quote(type) + " " + Quote(value) + "\n";

    /// <summary>One word in double quotes with <c>\</c> and <c>"</c> escaped; refuses line breaks and NUL.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (!CanSend(word))
        {
            throw new ArgumentException("a management command word cannot hold a line break or NUL", nameof(word));
        }

        var quoted = new StringBuilder(word.Length + 2).Append('"');
        foreach (var c in word)
        {
            if (c is '\\' or '"')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>True when <paramref name="word"/> can travel in one management command line.</summary>
    public static bool CanSend(string word) => !word.AsSpan().ContainsAny('\n', '\r', '\0');
}
