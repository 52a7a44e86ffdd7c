namespace Galaxy.Agent.Relay.Sniffing;

/// <summary>What a look at a flow's first bytes found.</summary>
internal enum SniffOutcome
{
    /// <summary>The bytes carry a host name (normalised: lower case, no trailing dot).</summary>
    Found,

    /// <summary>The bytes so far are a valid beginning; more may tell.</summary>
    NeedMore,

    /// <summary>The protocol was recognised but carries no usable name (no SNI, no Host, an IP literal, a malformed name).</summary>
    NoName,

    /// <summary>Not this protocol (or malformed beyond recognition).</summary>
    Unrecognized,
}
