using System.Collections.Concurrent;
using System.Text.Json;

namespace PolicyLayer.Schema.Compilation;

/// <summary>
/// The metaschemas of draft 2020-12, 2019-09 and draft-07, shipped as embedded resources so that references to them
/// resolve without any network access.
/// </summary>
internal static class Metaschemas
{
    private static readonly ConcurrentDictionary<string, JsonElement?> Cache = new(StringComparer.Ordinal);

    public static bool TryGet(string uri, out JsonElement document)
    {
        var loaded = Cache.GetOrAdd(SchemaUris.WithoutFragment(uri), Load);
        document = loaded ?? default;
        return loaded is not null;
    }

    private static JsonElement? Load(string uri)
    {
        var name = ResourceName(uri);
        if (name is null)
        {
            return null;
        }

        using var stream = typeof(Metaschemas).Assembly.GetManifestResourceStream("PolicyLayer.Schema.Metaschemas." + name);
        if (stream is null)
        {
            return null;
        }

        using var parsed = JsonDocument.Parse(stream);
        return parsed.RootElement.Clone();
    }

    private static string? ResourceName(string uri)
    {
        const string Draft7 = "http://json-schema.org/draft-07/schema";
        if (uri == Draft7)
        {
            return "draft-07-schema.json";
        }

        foreach (var draft in (string[])["2020-12", "2019-09"])
        {
            var prefix = $"https://json-schema.org/draft/{draft}/";
            if (!uri.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = uri[prefix.Length..];
            if (rest == "schema")
            {
                return $"draft{draft}-schema.json";
            }

            if (rest.StartsWith("meta/", StringComparison.Ordinal) && rest.IndexOfAny(['/', '.'], 5) < 0)
            {
                return $"draft{draft}-meta-{rest[5..]}.json";
            }
        }

        return null;
    }
}
