namespace Galaxy.Agent.Routing.Rules;

/// <summary>What a consistent-hash group hashes: the client or the site it talks to.</summary>
internal enum HashKey
{
    Source = 1,
    Destination = 2,
}
