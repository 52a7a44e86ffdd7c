using System.Net;
using MaxMind.Db;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// GeoIP countries from a MaxMind DB file (GeoLite2/GeoIP2 Country or City, or any database whose
/// records carry <c>country.iso_code</c>, or ip-location-db's flat <c>country_code</c>), read with the maintained MaxMind.Db reader, memory-mapped.
/// Falls back to <c>registered_country</c> when a network has no <c>country</c>. Thread-safe.
/// </summary>
/// <remarks>
/// The reader decodes each record into fresh dictionaries, so a lookup allocates (a few hundred bytes);
/// the route table looks up at most once per decision, and only when a candidate rule names countries.
/// </remarks>
internal sealed class MaxMindCountryLookup : ICountryLookup, IDisposable
{
    private readonly Reader _reader;

    private MaxMindCountryLookup(Reader reader, string source)
    {
        _reader = reader;
        Source = source;
    }

    /// <summary>Where the database came from (the file path, or "stream").</summary>
    public string Source { get; }

    /// <summary>The <c>database_type</c> the file declares, e.g. <c>GeoLite2-Country</c>.</summary>
    public string DatabaseType => _reader.Metadata.DatabaseType;

    /// <summary>When the database was built.</summary>
    public DateTime BuildDate => _reader.Metadata.BuildDate;

    /// <summary>Opens a database file; a missing or malformed file throws with the path in the message.</summary>
    public static MaxMindCountryLookup Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return new MaxMindCountryLookup(new Reader(path, FileAccessMode.MemoryMapped), path);
        }
        catch (Exception e) when (e is IOException or InvalidDatabaseException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"opening GeoIP database {path}: {e.Message}", e);
        }
    }

    /// <summary>Reads a whole database from a stream (tests, embedded fixtures).</summary>
    public static MaxMindCountryLookup Open(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            return new MaxMindCountryLookup(new Reader(stream), "stream");
        }
        catch (InvalidDatabaseException e)
        {
            throw new InvalidOperationException($"reading GeoIP database: {e.Message}", e);
        }
    }

    public string? CountryOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Dictionary<string, object>? record;
        try
        {
            record = _reader.Find<Dictionary<string, object>>(address);
        }
        catch (InvalidDatabaseException)
        {
            return null;
        }

        if (record is null)
        {
            return null;
        }

        // MaxMind's own layout (country.iso_code), else ip-location-db's flat one (country_code).
        return IsoCode(record, "country") ?? IsoCode(record, "registered_country") ??
            (record.TryGetValue("country_code", out var flat) && flat is string code && code.Length == 2 ? code : null);
    }

    public void Dispose() => _reader.Dispose();

    private static string? IsoCode(Dictionary<string, object> record, string key) =>
        record.TryGetValue(key, out var value) && value is Dictionary<string, object> country
            && country.TryGetValue("iso_code", out var code) && code is string iso
            ? iso
            : null;
}
