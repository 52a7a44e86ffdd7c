using System.Globalization;
using System.Text;

namespace Galaxy.Agent.Control;

/// <summary>
/// One answer of the control API: status, content type, body. <see cref="Encode"/> writes it as HTTP/1.1 with
/// Content-Length and <c>Connection: close</c> (one request per connection keeps the server's bounds simple).
/// </summary>
internal sealed record ControlResponse(int StatusCode, string ContentType, byte[] Body, string? Allow = null)
{
    public const string Json = "application/json";
    public const string Text = "text/plain; version=0.0.4; charset=utf-8";
    public const string EventStream = "application/x-ndjson";

    /// <summary>True for <c>GET /v1/events</c> when the agent streams: the server writes a head and then JSON lines, one per chunk.</summary>
    public bool IsEventStream { get; init; }

    public static ControlResponse Error(int statusCode, string message, string? allow = null) =>
        new(statusCode, Json, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new ControlError(message), ControlJsonContext.Default.ControlError), allow);

    /// <summary>The status line, headers and body. An event stream is chunked (<c>Transfer-Encoding: chunked</c>), one event per chunk.</summary>
    public byte[] Encode()
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {StatusCode} {ReasonPhrase(StatusCode)}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Type: {ContentType}\r\n");
        if (!IsEventStream)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {Body.Length}\r\n");
        }
        else
        {
            head.Append("Transfer-Encoding: chunked\r\n");
        }

        if (Allow is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Allow: {Allow}\r\n");
        }

        head.Append("Cache-Control: no-store\r\nConnection: close\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        if (IsEventStream)
        {
            return headBytes;
        }

        var all = new byte[headBytes.Length + Body.Length];
        headBytes.CopyTo(all, 0);
        Body.CopyTo(all, headBytes.Length);
        return all;
    }

    public static string ReasonPhrase(int statusCode) => statusCode switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    };
}
