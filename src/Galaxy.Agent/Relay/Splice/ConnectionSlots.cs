namespace Galaxy.Agent.Relay.Splice;

/// <summary>
/// The relay's connection cap: a slot is taken before each accept and given back when the flow ends (or is
/// refused). An acceptor that found none stops listening; the slot given back next wakes it.
/// </summary>
internal sealed class ConnectionSlots(int capacity)
{
    private readonly Lock _watchLock = new();
    private SpliceAcceptor[] _acceptors = []; // copied on write: read without a lock at every release
    private int _taken;

    /// <summary>Slots in use now.</summary>
    public int Taken => Volatile.Read(ref _taken);

    public bool TryTake()
    {
        var taken = Volatile.Read(ref _taken);
        while (taken < capacity)
        {
            var seen = Interlocked.CompareExchange(ref _taken, taken + 1, taken);
            if (seen == taken)
            {
                return true;
            }

            taken = seen;
        }

        return false;
    }

    /// <summary>Gives a slot back (from any thread) and wakes an acceptor that waits for one.</summary>
    public void Release()
    {
        Interlocked.Decrement(ref _taken);
        foreach (var acceptor in Volatile.Read(ref _acceptors))
        {
            acceptor.SlotFreed();
        }
    }

    /// <summary>An acceptor that takes from these slots, to be woken when one is given back.</summary>
    internal void Watch(SpliceAcceptor acceptor)
    {
        lock (_watchLock)
        {
            Volatile.Write(ref _acceptors, [.. _acceptors, acceptor]);
        }
    }
}
