using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Galaxy.Agent.Control;

/// <summary>How a control call ended, from the caller's point of view.</summary>
internal enum ControlCallOutcome
{
    /// <summary>The agent answered (any HTTP status but 403).</summary>
    Answered,

    /// <summary>No socket, or nobody listening on it.</summary>
    NotRunning,

    /// <summary>The socket's file mode or the agent (403) refused this user.</summary>
    AccessDenied,

    /// <summary>Connected, but the answer was not HTTP or did not come in time.</summary>
    Failed,
}

/// <summary>The result of one control call: outcome, HTTP status, body, and a plain message for failures.</summary>
internal sealed record ControlCallResult(ControlCallOutcome Outcome, int StatusCode, string Body, string Message);

/// <summary>
/// The CLI's side of the control socket: one request per connection (the server closes after each answer), the
/// answer read until close. Only what the CLI needs: no redirects; a chunked body only for the event stream
/// (<see cref="StreamAsync"/>).
/// </summary>
internal static partial class ControlClient
{
    private const int MaxResponseBytes = 16 * 1024 * 1024;

    public static async Task<ControlCallResult> CallAsync(string socketPath, string method, string path, TimeSpan timeout, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await ConnectAsync(socket, socketPath, deadline.Token).ConfigureAwait(false);
            await socket.SendAsync(Request(method, path), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            var answer = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false)) > 0)
            {
                answer.Write(buffer, 0, read);
                if (answer.Length > MaxResponseBytes)
                {
                    return new(ControlCallOutcome.Failed, 0, "", "the agent's answer is too large");
                }
            }

            return Interpret(answer.ToArray(), socketPath);
        }
        catch (SocketException e)
        {
            return SocketFailure(e, socketPath);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(ControlCallOutcome.Failed, 0, "", $"the agent did not answer within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>What a socket error while talking to the agent means: access denied, no agent, or a failure.</summary>
    private static ControlCallResult SocketFailure(SocketException e, string socketPath) =>
        e.SocketErrorCode == SocketError.AccessDenied
            ? new(ControlCallOutcome.AccessDenied, 0, "", $"access denied to {socketPath}: run as root or as a member of the galaxy group")
            : NotRunning(e, socketPath) is { } message
                ? new(ControlCallOutcome.NotRunning, 0, "", message)
                : new(ControlCallOutcome.Failed, 0, "", $"talking to the agent on {socketPath}: {e.Message}");

    /// <summary>
    /// The plain message for a connect that found no agent: no socket file (ENOENT), or nobody listening on it
    /// (ECONNREFUSED); null for other errors. connect(2) is asked instead of checking the path first, so that a
    /// user who may not even traverse the socket's directory hears "access denied" (EACCES), not "not running".
    /// </summary>
    private static string? NotRunning(SocketException e, string socketPath) => e.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable => $"the agent is not running (no control socket at {socketPath})",
        SocketError.ConnectionRefused => $"the agent is not running (nothing listens on {socketPath})",
        _ => null,
    };

    private static byte[] Request(string method, string path) =>
        Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: galaxy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");

    /// <summary>connect(2); EAGAIN (the listener's backlog is full for a moment) is retried until the deadline.</summary>
    private static async Task ConnectAsync(Socket socket, string socketPath, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain)
            {
                await Task.Delay(10, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Splits a whole HTTP/1.1 answer (read until close) into status and body.</summary>
    public static ControlCallResult Interpret(ReadOnlySpan<byte> answer, string socketPath)
    {
        var headEnd = answer.IndexOf("\r\n\r\n"u8);
        var lineEnd = answer.IndexOf("\r\n"u8);
        if (headEnd < 0 || lineEnd < 12 || !answer.StartsWith("HTTP/1."u8)
            || !int.TryParse(answer.Slice(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            return new(ControlCallOutcome.Failed, 0, "", $"the answer on {socketPath} is not HTTP");
        }

        var body = Encoding.UTF8.GetString(answer[(headEnd + 4)..]);
        return status == 403
            ? new(ControlCallOutcome.AccessDenied, status, body, "access denied by the agent: run as root or as a member of the galaxy group")
            : new(ControlCallOutcome.Answered, status, body, "");
    }
}
