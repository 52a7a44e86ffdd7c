using System.Runtime.InteropServices;
using System.Text;
using Galaxy.Netlink.Core.Interop;

namespace Galaxy.Netlink;

/// <summary>
/// The kernel refused a netlink request (or the socket failed). Carries what was being done, the errno,
/// the kernel's extended-ack text and attribute offset, and — for nf_tables batches — which message of
/// the batch failed and which expression of that rule.
/// </summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException(string operation, int errno, string? kernelMessage = null, int? attributeOffset = null,
        int? messageIndex = null, string? messageDescription = null, int? expressionIndex = null, string? expressionName = null)
        : base(Compose(operation, errno, kernelMessage, messageIndex, messageDescription, expressionIndex, expressionName))
    {
        Operation = operation;
        Errno = errno;
        KernelMessage = kernelMessage;
        AttributeOffset = attributeOffset;
        MessageIndex = messageIndex;
        MessageDescription = messageDescription;
        ExpressionIndex = expressionIndex;
        ExpressionName = expressionName;
    }

    public NetlinkException()
        : this("netlink", 0)
    {
    }

    public NetlinkException(string message)
        : base(message)
    {
        Operation = message;
    }

    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = message;
    }

    /// <summary>What was being done ("adding route default dev tun0 table 100").</summary>
    public string Operation { get; }

    /// <summary>The positive errno (EEXIST = 17).</summary>
    public int Errno { get; }

    /// <summary>The symbolic errno (<c>EEXIST</c>).</summary>
    public string ErrnoName => Core.Interop.Errno.Name(Errno);

    /// <summary>The kernel's extended-ack message, when it sent one.</summary>
    public string? KernelMessage { get; }

    /// <summary>The byte offset of the offending attribute inside the failing message, when the kernel said.</summary>
    public int? AttributeOffset { get; }

    /// <summary>For a batch: the 0-based index of the failing message among the batch's messages (BEGIN/END excluded).</summary>
    public int? MessageIndex { get; }

    /// <summary>For a batch: the failing message in words ("rule in chain prerouting").</summary>
    public string? MessageDescription { get; }

    /// <summary>For a rule: the 0-based index of the expression the kernel pointed at.</summary>
    public int? ExpressionIndex { get; }

    /// <summary>For a rule: the name of that expression (<c>tproxy</c>).</summary>
    public string? ExpressionName { get; }

    private static string Compose(string operation, int errno, string? kernelMessage, int? messageIndex,
        string? messageDescription, int? expressionIndex, string? expressionName)
    {
        var text = new StringBuilder(operation).Append(": ").Append(Core.Interop.Errno.Name(errno));
        if (errno > 0)
        {
            text.Append(" (").Append(Marshal.GetPInvokeErrorMessage(errno)).Append(')');
        }

        if (messageIndex is not null)
        {
            text.Append("; batch message ").Append(messageIndex.Value);
            if (messageDescription is not null)
            {
                text.Append(" (").Append(messageDescription).Append(')');
            }
        }

        if (expressionIndex is not null)
        {
            text.Append(", expression ").Append(expressionIndex.Value);
            if (expressionName is not null)
            {
                text.Append(" (").Append(expressionName).Append(')');
            }
        }

        if (kernelMessage is not null)
        {
            text.Append("; kernel: ").Append(kernelMessage);
        }

        return text.ToString();
    }
}
