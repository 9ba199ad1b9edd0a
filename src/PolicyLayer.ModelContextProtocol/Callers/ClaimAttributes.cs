using System.Globalization;
using System.Security.Claims;
using System.Text;
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

        // Written as text: Utf8JsonWriter refuses a string with a lone surrogate, which a claim may hold (claims come
        // from any source a host trusts), and the call must still get a decision.
        var text = new StringBuilder("{");
        foreach (var (name, values) in grouped)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            AppendString(text, name);
            text.Append(':');
            if (values.Count == 1)
            {
                AppendString(text, values[0]);
                continue;
            }

            text.Append('[');
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                AppendString(text, values[i]);
            }

            text.Append(']');
        }

        using var document = JsonDocument.Parse(text.Append('}').ToString());
        return document.RootElement.Clone();
    }

    /// <summary>A JSON string of the text, quotes included; a lone surrogate is escaped (<c>\ud800</c>), keeping it as it is.</summary>
    private static void AppendString(StringBuilder text, string value)
    {
        text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                text.Append(c).Append(value[++i]);
            }
            else if (c is '"' or '\\' || c < ' ' || char.IsSurrogate(c))
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        text.Append('"');
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
