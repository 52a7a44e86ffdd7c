using System.Globalization;
using System.Net;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>
/// Parses OpenVPN's management protocol, one line at a time (the line without its CR/LF). Pure: no I/O,
/// no state; a malformed line becomes an <see cref="OtherMessage"/>, never an exception.
/// <para>
/// Real-time notifications start with <c>&gt;KIND:</c> (doc/management-notes.txt, interface version 5);
/// answers to commands are <c>SUCCESS: …</c>/<c>ERROR: …</c>, or several lines ending with <c>END</c> for
/// the commands that list things (the supervisor sends none of those).
/// </para>
/// </summary>
internal static class ManagementParser
{
    private const string HoldPrefix = "Waiting for hold release:";

    public static ManagementMessage Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.StartsWith("SUCCESS:", StringComparison.Ordinal))
        {
            return new CommandReplyMessage(true, line["SUCCESS:".Length..].Trim());
        }

        if (line.StartsWith("ERROR:", StringComparison.Ordinal))
        {
            return new CommandReplyMessage(false, line["ERROR:".Length..].Trim());
        }

        if (line.Length < 2 || line[0] != '>')
        {
            return new OtherMessage(line);
        }

        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 2)
        {
            return new OtherMessage(line);
        }

        var kind = line[1..colon];
        var body = line[(colon + 1)..];
        return kind switch
        {
            "STATE" => ParseState(body) ?? (ManagementMessage)new OtherMessage(line),
            "BYTECOUNT" => ParseByteCount(body) ?? (ManagementMessage)new OtherMessage(line),
            "HOLD" => ParseHold(body) ?? (ManagementMessage)new OtherMessage(line),
            "PASSWORD" => ParsePassword(body),
            "FATAL" => new FatalMessage(body),
            "LOG" => ParseLog(body) ?? (ManagementMessage)new OtherMessage(line),
            _ => new NotificationMessage(kind, body),
        };
    }

    // >STATE:1795654773,CONNECTED,SUCCESS,10.8.0.2,198.51.100.1,1194,,,fd00:8::1000
    private static StateMessage? ParseState(string body)
    {
        var fields = body.Split(',');
        if (fields.Length < 2 || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var time) || fields[1].Length == 0)
        {
            return null;
        }

        return new StateMessage(
            time,
            fields[1],
            Field(fields, 2) ?? string.Empty,
            Address(Field(fields, 3)),
            Address(Field(fields, 4)),
            int.TryParse(Field(fields, 5), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null,
            Address(Field(fields, 8)));
    }

    // >BYTECOUNT:2371,2348
    private static ByteCountMessage? ParseByteCount(string body)
    {
        var comma = body.IndexOf(',', StringComparison.Ordinal);
        return comma > 0
            && long.TryParse(body.AsSpan(0, comma), NumberStyles.None, CultureInfo.InvariantCulture, out var bytesIn)
            && long.TryParse(body.AsSpan(comma + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var bytesOut)
            ? new ByteCountMessage(bytesIn, bytesOut)
            : null;
    }

    // >HOLD:Waiting for hold release:0
    private static HoldMessage? ParseHold(string body)
    {
        if (!body.StartsWith(HoldPrefix, StringComparison.Ordinal))
        {
            return body.StartsWith("Waiting for hold release", StringComparison.Ordinal) ? new HoldMessage(0) : null;
        }

        return int.TryParse(body.AsSpan(HoldPrefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            ? new HoldMessage(Math.Max(0, seconds))
            : new HoldMessage(0);
    }

    // >PASSWORD:Need 'Auth' username/password
    // >PASSWORD:Need 'Auth' username/password SC:1,Enter token     (static challenge: answered like Auth)
    // >PASSWORD:Need 'Private Key' password
    // >PASSWORD:Verification Failed: 'Auth'
    // >PASSWORD:Auth-Token:…                                       (a secret: kept out of the message)
    private static ManagementMessage ParsePassword(string body)
    {
        if (body.StartsWith("Need '", StringComparison.Ordinal) && Quoted(body, "Need ".Length) is { } needed)
        {
            var rest = body[("Need '".Length + needed.Length + 1)..];
            return new PasswordNeededMessage(needed, rest.TrimStart().StartsWith("username", StringComparison.Ordinal));
        }

        if (body.StartsWith("Verification Failed: '", StringComparison.Ordinal) && Quoted(body, "Verification Failed: ".Length) is { } failed)
        {
            return new PasswordFailedMessage(failed);
        }

        var colon = body.IndexOf(':', StringComparison.Ordinal);
        return new NotificationMessage("PASSWORD", colon > 0 ? body[..colon] : body);
    }

    // >LOG:1795654783,,PUSH: Received control message: 'PUSH_REPLY,…'
    private static LogMessage? ParseLog(string body)
    {
        var first = body.IndexOf(',', StringComparison.Ordinal);
        if (first <= 0)
        {
            return null;
        }

        var second = body.IndexOf(',', first + 1);
        if (second < 0 || !long.TryParse(body.AsSpan(0, first), NumberStyles.None, CultureInfo.InvariantCulture, out var time))
        {
            return null;
        }

        return new LogMessage(time, body[(first + 1)..second], body[(second + 1)..]);
    }

    private static string? Quoted(string body, int openingQuote)
    {
        if (openingQuote >= body.Length || body[openingQuote] != '\'')
        {
            return null;
        }

        var closing = body.IndexOf('\'', openingQuote + 1);
        return closing > openingQuote ? body[(openingQuote + 1)..closing] : null;
    }

    private static string? Field(string[] fields, int index) =>
        index < fields.Length && fields[index].Length > 0 ? fields[index] : null;

    private static IPAddress? Address(string? text) =>
        text is not null && IPAddress.TryParse(text, out var address) ? address : null;
}
