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
        private Dictionary<string, JsonElement>? _properties;

        public int Count => Properties.Count;

        public IEnumerable<string> Keys => Properties.Keys;

        public IEnumerable<JsonElement> Values => Properties.Values;

        public JsonElement this[string key] => Properties[key];

        private Dictionary<string, JsonElement> Properties =>
            Volatile.Read(ref _properties) ?? LazyInitializer.EnsureInitialized(ref _properties, () => Build(user).EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal));

        public bool ContainsKey(string key) => Properties.ContainsKey(key);

        public bool TryGetValue(string key, out JsonElement value) => Properties.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => Properties.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
