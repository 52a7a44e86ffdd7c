namespace Galaxy.Agent.Control;

/// <summary>What <see cref="HttpRequestParser.Parse"/> made of the bytes so far.</summary>
internal enum HttpParseStatus
{
    /// <summary>A whole request is there (<see cref="HttpParseOutcome.Request"/>, <see cref="HttpParseOutcome.Consumed"/>).</summary>
    Complete,

    /// <summary>Valid so far; read more bytes.</summary>
    Incomplete,

    /// <summary>Refused: answer <see cref="HttpParseOutcome.StatusCode"/> (400, 405, 413, 431, 501, 505) and close.</summary>
    Invalid,
}

/// <summary>The result of one parse attempt; an outcome, never an exception.</summary>
internal readonly record struct HttpParseOutcome(HttpParseStatus Status, HttpRequest? Request, int Consumed, int StatusCode, string? Reason)
{
    public static HttpParseOutcome NeedMore { get; } = new(HttpParseStatus.Incomplete, null, 0, 0, null);

    public static HttpParseOutcome Done(HttpRequest request, int consumed) => new(HttpParseStatus.Complete, request, consumed, 0, null);

    public static HttpParseOutcome Refuse(int statusCode, string reason) => new(HttpParseStatus.Invalid, null, 0, statusCode, reason);
}
