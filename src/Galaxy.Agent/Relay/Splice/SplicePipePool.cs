namespace Galaxy.Agent.Relay.Splice;

/// <summary>
/// The idle pipes of one splice loop (used by that loop's thread only, so no locks). A flow holds a pipe
/// only while bytes are buffered in it; in the steady state a flow costs its two sockets and nothing more,
/// which keeps the relay far below the process's descriptor limit.
/// </summary>
internal sealed class SplicePipePool : IDisposable
{
    private readonly Stack<SplicePipe> _idle = new();
    private readonly int _maxIdle;
    private readonly int _pipeCapacity;

    public SplicePipePool(int maxIdle, int pipeCapacity = SplicePipe.PreferredCapacity)
    {
        _maxIdle = maxIdle;
        _pipeCapacity = pipeCapacity;
    }

    public int Idle => _idle.Count;

    /// <summary>A drained pipe from the pool or a new one; null (with errno) when none can be made.</summary>
    public SplicePipe? Rent(out int errno)
    {
        if (_idle.TryPop(out var pipe))
        {
            errno = 0;
            return pipe;
        }

        return SplicePipe.TryCreate(out errno, _pipeCapacity);
    }

    /// <summary>Returns a pipe; only an empty pipe is kept, one with bytes still in it is closed.</summary>
    public void Return(SplicePipe pipe)
    {
        if (pipe.Buffered == 0 && _idle.Count < _maxIdle)
        {
            _idle.Push(pipe);
        }
        else
        {
            pipe.Dispose();
        }
    }

    public void Dispose()
    {
        while (_idle.TryPop(out var pipe))
        {
            pipe.Dispose();
        }
    }
}
