namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>The output could not be written as asked (it would overwrite key material, a folder is unusable, …).</summary>
internal sealed class VpsProvisioningException : Exception
{
    public VpsProvisioningException(string message)
        : base(message)
    {
    }

    public VpsProvisioningException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
