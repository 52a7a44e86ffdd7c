namespace Galaxy.Agent.Portal;

/// <summary>A portal operation (render, up, down) could not be done; the message says what was being done and why.</summary>
internal sealed class PortalException : Exception
{
    public PortalException()
    {
    }

    public PortalException(string message)
        : base(message)
    {
    }

    public PortalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
