using System.Net;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>One line from OpenVPN's management interface, parsed (see <see cref="ManagementParser"/>).</summary>
internal abstract record ManagementMessage;

/// <summary>
/// <c>&gt;STATE:time,NAME,DESCRIPTION,LOCAL_IPV4,REMOTE,REMOTE_PORT,LOCAL,LOCAL_PORT,LOCAL_IPV6</c>
/// (management interface version 5; empty fields are null).
/// </summary>
internal sealed record StateMessage(
    long Time,
    string Name,
    string Description,
    IPAddress? TunnelIPv4,
    IPAddress? Remote,
    int? RemotePort,
    IPAddress? TunnelIPv6) : ManagementMessage;

/// <summary><c>&gt;BYTECOUNT:IN,OUT</c>: bytes on the transport since OpenVPN started.</summary>
internal sealed record ByteCountMessage(long BytesIn, long BytesOut) : ManagementMessage;

/// <summary><c>&gt;HOLD:Waiting for hold release:N</c>; N is the pause OpenVPN itself would have made.</summary>
internal sealed record HoldMessage(int Seconds) : ManagementMessage;

/// <summary>
/// <c>&gt;PASSWORD:Need 'Auth' username/password</c> (<see cref="NeedsUserName"/>) or
/// <c>&gt;PASSWORD:Need 'Private Key' password</c>.
/// </summary>
internal sealed record PasswordNeededMessage(string Type, bool NeedsUserName) : ManagementMessage;

/// <summary><c>&gt;PASSWORD:Verification Failed: 'Auth'</c>: the server (or the key) refused what was given.</summary>
internal sealed record PasswordFailedMessage(string Type) : ManagementMessage;

/// <summary><c>&gt;FATAL:text</c>: OpenVPN is about to exit.</summary>
internal sealed record FatalMessage(string Text) : ManagementMessage;

/// <summary><c>&gt;LOG:time,FLAGS,text</c> (after <c>log on</c>); flags are I, F, N, W, D or empty.</summary>
internal sealed record LogMessage(long Time, string Flags, string Text) : ManagementMessage;

/// <summary>Any other real-time notification: <c>&gt;INFO:</c>, <c>&gt;NOTIFY:</c>, <c>&gt;INFOMSG:</c>, an auth token….</summary>
internal sealed record NotificationMessage(string Kind, string Text) : ManagementMessage;

/// <summary><c>SUCCESS: text</c> or <c>ERROR: text</c>: the answer to one command.</summary>
internal sealed record CommandReplyMessage(bool Success, string Text) : ManagementMessage;

/// <summary>A line of a multi-line answer, or anything unrecognised.</summary>
internal sealed record OtherMessage(string Line) : ManagementMessage;
