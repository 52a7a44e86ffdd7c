using System.Net.Sockets;
using Galaxy.Agent.Egress;

namespace Galaxy.Agent.Tests.Egress;

public sealed class DialResultTests
{
    [Theory]
    [InlineData(SocketError.ConnectionRefused, "Refused", "connection refused")]
    [InlineData(SocketError.HostUnreachable, "Unreachable", "host unreachable")]
    [InlineData(SocketError.NetworkUnreachable, "Unreachable", "network unreachable")]
    [InlineData(SocketError.TimedOut, "TimedOut", "timed out")]
    [InlineData(SocketError.AccessDenied, "Failed", "not permitted by the router (its firewall, or a broadcast destination)")]
    [InlineData(SocketError.AddressNotAvailable, "Failed", "no local address or port left")]
    [InlineData(SocketError.TooManyOpenSockets, "Failed", "the router is out of descriptors")]
    [InlineData(SocketError.ProtocolNotSupported, "Failed", "ProtocolNotSupported")]
    public void A_socket_error_becomes_an_outcome_and_words_an_operator_reads(SocketError error, string outcome, string reason)
    {
        var result = DialResult.FromSocketError(error);
        Assert.Equal((outcome, reason), (result.Outcome.ToString(), result.Reason));
        Assert.Null(result.Socket);
    }
}
