namespace Galaxy.Agent.Dns;

/// <summary>What a cached answer answers: the question's name (lowercased, no trailing dot), type and class.</summary>
internal readonly record struct DnsCacheKey(string Name, ushort Type, ushort Class);
