using Galaxy.Agent.Control;
using Galaxy.Agent.Relay.Tcp;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Agent.Agent;

/// <summary>
/// Lockdown of the running router, asked through the control socket. It is one flag honoured where
/// <see cref="Reconcile"/> decides which egresses are up: in lockdown none is, so the same path as a tunnel
/// loss closes everything — the ruleset without any egress device (committed and read back), the routes
/// unreachable, the flows closed, the relay and the resolver refusing. The tunnels themselves are left alone
/// (their endpoints stay allowed), so releasing the lockdown is as quick as a reconcile.
/// </summary>
internal sealed partial class AgentHost
{
    private volatile bool _lockdown;

    /// <summary>True while the operator holds the router in lockdown.</summary>
    public bool Lockdown => _lockdown;

    /// <summary>"lockdown", "closed" (Galaxy's table is in place: only the egresses carry traffic) or "open".</summary>
    public string KillSwitchState => _lockdown ? "lockdown" : FirewallInPlace ? "closed" : "open";

    /// <summary>The TCP relay, once started (its refusal counters feed the metrics).</summary>
    public TcpRelay? TcpRelay { get; private set; }

    /// <summary>The UDP relays (one per address family), once started.</summary>
    public IReadOnlyList<UdpRelay> UdpRelays { get; private set; } = [];

    /// <summary>Asks the loop for lockdown on or off and waits until it is applied.</summary>
    public async Task<LockdownState> RequestLockdownAsync(bool on, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new LockdownRequested(on, done));
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new LockdownState(_lockdown, KillSwitchState, RulesetVerified);
    }

    private void ApplyLockdown(LockdownRequested request)
    {
        if (_lockdown != request.On)
        {
            _lockdown = request.On;
            if (request.On)
            {
                AgentLog.LockdownOn(_logger);
                foreach (var egress in _egresses.Where(e => e.IsUp))
                {
                    egress.Reason = "lockdown";
                }
            }
            else
            {
                AgentLog.LockdownOff(_logger);
            }

            Reconcile();
            _control.Publish(ControlEvent.KillSwitch(KillSwitchState, RulesetVerified, DateTimeOffset.UtcNow));
        }

        request.Done.TrySetResult();
    }
}
