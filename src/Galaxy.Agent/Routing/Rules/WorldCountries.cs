using System.Text.Json;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// Reads the coordinates of every country from the <c>world-countries</c> data (its <c>countries.json</c>: an
/// array of objects with <c>cca2</c> and <c>latlng</c>), with a forward-only <see cref="Utf8JsonReader"/>: no
/// reflection, NativeAOT-safe, only the two fields kept.
/// </summary>
internal static class WorldCountries
{
    /// <summary>Loads <paramref name="path"/>; a missing file or malformed data throws with the path and the reason.</summary>
    public static CountryCoordinates Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"reading country coordinates {path}: {e.Message}", e);
        }

        try
        {
            var points = Parse(bytes);
            return points.Count == 0
                ? throw new InvalidOperationException($"country coordinates {path}: no country with cca2 and latlng found")
                : new CountryCoordinates(points);
        }
        catch (Exception e) when (e is JsonException or ArgumentOutOfRangeException)
        {
            throw new InvalidOperationException($"country coordinates {path}: {e.Message}", e);
        }
    }

    /// <summary>The countries of a countries.json document; objects without both fields are skipped.</summary>
    public static Dictionary<string, GeoPoint> Parse(ReadOnlySpan<byte> json)
    {
        var points = new Dictionary<string, GeoPoint>(StringComparer.OrdinalIgnoreCase);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("expected an array of countries");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string? code = null;
            double[]? latlng = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("cca2"u8))
                {
                    reader.Read();
                    code = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("latlng"u8))
                {
                    reader.Read();
                    latlng = ReadNumbers(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (code is { Length: 2 } && latlng is [var latitude, var longitude])
            {
                points[code] = new GeoPoint(latitude, longitude);
            }
        }

        return points;
    }

    private static double[]? ReadNumbers(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        var numbers = new List<double>(2);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                numbers.Add(reader.GetDouble());
            }
            else
            {
                reader.Skip();
            }
        }

        return [.. numbers];
    }
}
