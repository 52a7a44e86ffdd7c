namespace Galaxy.Integration.Tests.Labs;

/// <summary>The lab could not build, run or tear down what a test asked for.</summary>
public sealed class LabException : Exception
{
    public LabException(string message)
        : base(message)
    {
    }

    public LabException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
