using System.Buffers;
using System.Security.Claims;
using System.Text.Json;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>A user's claims as a JSON object: claim type to value, or to an array when the type repeats.</summary>
internal static class ClaimAttributes
{
    // Short names for the URIs ASP.NET Core maps common JWT claims to, so that policies can say caller.role.
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        [ClaimTypes.Role] = "role",
        [ClaimTypes.Name] = "name",
        [ClaimTypes.NameIdentifier] = "sub",
        [ClaimTypes.Email] = "email",
        [ClaimTypes.GivenName] = "given_name",
        [ClaimTypes.Surname] = "family_name",
    };

    /// <summary>
    /// The user's claims as the call's caller attributes: nothing for an anonymous caller, else a view that builds the
    /// object the first time a policy reads it. Most policies never say <c>caller</c>, and building it (grouping the
    /// claims, writing and parsing JSON) would cost every call over HTTP microseconds.
    /// </summary>
    public static JsonProperties From(ClaimsPrincipal? user) =>
        user is null || !user.Claims.Any() ? default : new JsonProperties(new LazyClaims(user));

    /// <summary>Builds the claims object now.</summary>
    internal static JsonElement Build(ClaimsPrincipal user)
    {
        var grouped = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var claim in user.Claims)
        {
            var name = ShortNames.GetValueOrDefault(claim.Type, claim.Type);
            if (!grouped.TryGetValue(name, out var values))
            {
                grouped[name] = values = [];
            }

            values.Add(claim.Value);
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, values) in grouped)
            {
                if (values.Count == 1)
                {
                    writer.WriteString(name, values[0]);
                    continue;
                }

                writer.WriteStartArray(name);
                foreach (var value in values)
                {
                    writer.WriteStringValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>The claims object, built on first use; safe to read from several threads.</summary>
    private sealed class LazyClaims(ClaimsPrincipal user) : IReadOnlyDictionary<string, JsonElement>
    {
        private JsonElement _object;
        private bool _built;
        private object? _gate;

        public int Count => Object.GetPropertyCount();

        public IEnumerable<string> Keys => Object.EnumerateObject().Select(p => p.Name);

        public IEnumerable<JsonElement> Values => Object.EnumerateObject().Select(p => p.Value);

        public JsonElement this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The caller has no claim '{key}'.");

        // Kept as the element it was parsed into: a lookup is a search of a handful of properties, no dictionary to build.
        private JsonElement Object => Volatile.Read(ref _built) ? _object : LazyInitializer.EnsureInitialized(ref _object, ref _built, ref _gate, () => Build(user));

        public bool ContainsKey(string key) => Object.TryGetProperty(key, out _);

        public bool TryGetValue(string key, out JsonElement value) => Object.TryGetProperty(key, out value);

        public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator()
        {
            foreach (var property in Object.EnumerateObject())
            {
                yield return new(property.Name, property.Value);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
