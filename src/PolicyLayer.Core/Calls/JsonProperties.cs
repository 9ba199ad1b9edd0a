using System.Text.Json;

namespace PolicyLayer;

/// <summary>
/// A read-only view over the properties of a JSON object, whether the host holds it as a
/// <see cref="JsonElement"/> or as the dictionary the MCP SDK hands over. Nothing is copied or re-serialized.
/// </summary>
/// <remarks>
/// The default value is an empty object. A view built from a <see cref="JsonElement"/> that is not an object
/// keeps that element (see <see cref="RootKind"/>), so that a schema can report the wrong type instead of the
/// library guessing.
/// </remarks>
public readonly struct JsonProperties
{
    // One of: null (empty object), Dictionary<string, JsonElement>, IReadOnlyDictionary<string, JsonElement>,
    // IDictionary<string, JsonElement>. Kept as object so the struct stays two fields wide.
    private readonly object? _dictionary;
    private readonly JsonElement _element;

    /// <summary>Creates a view over a JSON value, normally an object.</summary>
    /// <param name="element">The value. An undefined element is treated as an empty object.</param>
    public JsonProperties(JsonElement element)
    {
        _dictionary = null;
        _element = element;
    }

    /// <summary>Creates a view over a dictionary of property values; <see langword="null"/> is an empty object.</summary>
    /// <param name="properties">The properties.</param>
    public JsonProperties(Dictionary<string, JsonElement>? properties)
    {
        _dictionary = properties;
        _element = default;
    }

    /// <summary>Creates a view over a dictionary of property values; <see langword="null"/> is an empty object.</summary>
    /// <param name="properties">The properties.</param>
    /// <remarks>
    /// A dictionary type that implements this interface and <see cref="IDictionary{TKey, TValue}"/> too
    /// (<c>SortedDictionary</c>, <c>ReadOnlyDictionary</c>, <c>ImmutableDictionary</c>) fits both constructors, which the
    /// compiler reports as ambiguous (CS0121): cast it to <c>IReadOnlyDictionary&lt;string, JsonElement&gt;</c>. Both
    /// views read the same.
    /// </remarks>
    public JsonProperties(IReadOnlyDictionary<string, JsonElement>? properties)
    {
        _dictionary = properties;
        _element = default;
    }

    /// <summary>Creates a view over a dictionary of property values; <see langword="null"/> is an empty object.</summary>
    /// <param name="properties">The properties, for example <c>CallToolRequestParams.Arguments</c> of the MCP SDK.</param>
    public JsonProperties(IDictionary<string, JsonElement>? properties)
    {
        // Dictionary<,> implements both interfaces; keep it as the read-only one so lookups take one path.
        _dictionary = properties is IReadOnlyDictionary<string, JsonElement> readOnly ? readOnly : properties;
        _element = default;
    }

    /// <summary>An empty object.</summary>
    public static JsonProperties Empty => default;

    /// <summary>Wraps a JSON value.</summary>
    /// <param name="element">The value.</param>
    public static implicit operator JsonProperties(JsonElement element) => new(element);

    /// <summary>Wraps a dictionary of property values.</summary>
    /// <param name="properties">The properties.</param>
    public static implicit operator JsonProperties(Dictionary<string, JsonElement>? properties) => new(properties);

    /// <summary>
    /// The JSON kind of the whole value: <see cref="JsonValueKind.Object"/> for dictionaries and empty views,
    /// the element's kind otherwise.
    /// </summary>
    public JsonValueKind RootKind => _dictionary is not null || _element.ValueKind == JsonValueKind.Undefined
        ? JsonValueKind.Object
        : _element.ValueKind;

    /// <summary>Whether the view was built over nothing (the default value), as opposed to an element or a dictionary.</summary>
    internal bool IsUnset => _dictionary is null && _element.ValueKind == JsonValueKind.Undefined;

    /// <summary>Whether the view is backed by a <see cref="JsonElement"/> (as opposed to a dictionary or nothing).</summary>
    /// <param name="element">The element, when there is one.</param>
    /// <returns><see langword="true"/> when the view wraps a defined element.</returns>
    public bool TryGetElement(out JsonElement element)
    {
        element = _element;
        return _dictionary is null && _element.ValueKind != JsonValueKind.Undefined;
    }

    /// <summary>The number of properties; 0 when the value is not an object.</summary>
    public int Count => _dictionary switch
    {
        IReadOnlyDictionary<string, JsonElement> d => d.Count,
        IDictionary<string, JsonElement> d => d.Count,
        _ => _element.ValueKind == JsonValueKind.Object ? _element.GetPropertyCount() : 0,
    };

    /// <summary>Looks up a property by exact name.</summary>
    /// <param name="name">The property name.</param>
    /// <param name="value">The value, when present.</param>
    /// <returns><see langword="true"/> when the property exists.</returns>
    public bool TryGetProperty(string name, out JsonElement value)
    {
        switch (_dictionary)
        {
            case IReadOnlyDictionary<string, JsonElement> d:
                return d.TryGetValue(name, out value);
            case IDictionary<string, JsonElement> d:
                return d.TryGetValue(name, out value);
            default:
                if (_element.ValueKind == JsonValueKind.Object)
                {
                    return Json.JsonLookup.TryGetProperty(_element, name, out value);
                }

                value = default;
                return false;
        }
    }

    /// <summary>Looks up a property by a name given both as text and as its UTF-8 bytes, whichever the source compares fastest.</summary>
    internal bool TryGetProperty(string name, ReadOnlySpan<byte> utf8Name, out JsonElement value)
    {
        if (_dictionary is null && _element.ValueKind == JsonValueKind.Object)
        {
            return Json.JsonLookup.TryGetProperty(_element, utf8Name, out value);
        }

        return TryGetProperty(name, out value);
    }

    /// <summary>The backing dictionary, or <see langword="null"/> when the view wraps an element.</summary>
    internal object? Dictionary => _dictionary;

    /// <summary>Enumerates the properties without allocating for <see cref="JsonElement"/> and <see cref="Dictionary{TKey, TValue}"/> sources.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(_dictionary, _element);

    /// <summary>Enumerates the properties of a <see cref="JsonProperties"/>.</summary>
    public struct Enumerator
    {
        private readonly int _mode; // 0 none, 1 element, 2 Dictionary, 3 other dictionary
        private JsonElement.ObjectEnumerator _elementEnumerator;
        private Dictionary<string, JsonElement>.Enumerator _dictionaryEnumerator;
        private readonly IEnumerator<KeyValuePair<string, JsonElement>>? _otherEnumerator;

        internal Enumerator(object? dictionary, JsonElement element)
        {
            _elementEnumerator = default;
            _dictionaryEnumerator = default;
            _otherEnumerator = null;
            switch (dictionary)
            {
                case Dictionary<string, JsonElement> d:
                    _mode = 2;
                    _dictionaryEnumerator = d.GetEnumerator();
                    break;
                case IEnumerable<KeyValuePair<string, JsonElement>> other:
                    _mode = 3;
                    _otherEnumerator = other.GetEnumerator();
                    break;
                default:
                    _mode = element.ValueKind == JsonValueKind.Object ? 1 : 0;
                    if (_mode == 1)
                    {
                        _elementEnumerator = element.EnumerateObject();
                    }

                    break;
            }
        }

        /// <summary>The current property.</summary>
        public readonly JsonPropertyView Current => _mode switch
        {
            1 => new JsonPropertyView(null, _elementEnumerator.Current),
            2 => new JsonPropertyView(_dictionaryEnumerator.Current.Key, _dictionaryEnumerator.Current.Value),
            3 => new JsonPropertyView(_otherEnumerator!.Current.Key, _otherEnumerator.Current.Value),
            _ => default,
        };

        /// <summary>Moves to the next property.</summary>
        /// <returns><see langword="false"/> at the end.</returns>
        public bool MoveNext() => _mode switch
        {
            1 => _elementEnumerator.MoveNext(),
            2 => _dictionaryEnumerator.MoveNext(),
            3 => _otherEnumerator!.MoveNext(),
            _ => false,
        };
    }
}

/// <summary>One property of a <see cref="JsonProperties"/>: its name and value.</summary>
/// <remarks>
/// For element-backed objects the name is read from the JSON text only when asked for, so comparing names with
/// <see cref="NameEquals(string)"/> allocates nothing.
/// </remarks>
public readonly struct JsonPropertyView
{
    private readonly string? _name;
    private readonly JsonProperty _property;
    private readonly JsonElement _value;

    internal JsonPropertyView(string name, JsonElement value)
    {
        _name = name;
        _property = default;
        _value = value;
    }

    internal JsonPropertyView(string? name, JsonProperty property)
    {
        _name = name;
        _property = property;
        _value = property.Value;
    }

    /// <summary>The property value.</summary>
    public JsonElement Value => _value;

    /// <summary>The property name (allocates a string for element-backed objects).</summary>
    /// <remarks>A lone surrogate escaped in the name (<c>"\ud800"</c>, valid JSON) is kept as that code unit, not refused.</remarks>
    public string Name => _name ?? Json.JsonStrings.GetName(_property);

    /// <summary>Compares the name without allocating.</summary>
    /// <param name="name">The name to compare with.</param>
    /// <returns><see langword="true"/> when equal (ordinal).</returns>
    /// <remarks>A name that escapes a lone surrogate (<c>"\ud800"</c>, valid JSON) is compared as that code unit, not refused.</remarks>
    public bool NameEquals(string name) =>
        _name is not null ? string.Equals(_name, name, StringComparison.Ordinal) : DecodedNameEquals(_property, name);

    /// <summary>Compares the name with UTF-8 text without allocating.</summary>
    /// <param name="utf8Name">The UTF-8 encoded name.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    /// <remarks>A name that escapes a lone surrogate is compared as that code unit, not refused.</remarks>
    public bool NameEquals(ReadOnlySpan<byte> utf8Name)
    {
        if (_name is not null)
        {
            return Utf8Equals(_name, utf8Name);
        }

        if (TryGetUtf8Name(out var raw))
        {
            return raw.SequenceEqual(utf8Name);
        }

        var max = System.Text.Encoding.UTF8.GetMaxCharCount(utf8Name.Length);
        Span<char> chars = max <= 256 ? stackalloc char[256] : new char[max];
        return DecodedNameEquals(_property, chars[..System.Text.Encoding.UTF8.GetChars(utf8Name, chars)]);
    }

    /// <summary>Compares the name with text given both as a string and as UTF-8, using whichever the source holds.</summary>
    internal bool NameEquals(string name, ReadOnlySpan<byte> utf8Name) =>
        _name is not null ? string.Equals(_name, name, StringComparison.Ordinal) : NameEquals(_property, name, utf8Name);

    /// <summary>
    /// Compares a property's name with text given both as a string and as UTF-8: its raw UTF-8 when it has no escape,
    /// else decoded. Never <see cref="JsonProperty.NameEquals(string)"/> alone, which throws for a name that
    /// escapes a lone surrogate.
    /// </summary>
    internal static bool NameEquals(JsonProperty property, string name, ReadOnlySpan<byte> utf8Name)
    {
        var raw = Json.JsonRaw.Utf8Name(property);
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return raw.SequenceEqual(utf8Name);
        }

        return DecodedNameEquals(property, name);
    }

    private static bool DecodedNameEquals(JsonProperty property, ReadOnlySpan<char> name)
    {
        Span<char> scratch = stackalloc char[128];
        var decoded = Json.JsonStrings.GetNameChars(property, scratch, out var rented);
        try
        {
            return decoded.SequenceEqual(name);
        }
        finally
        {
            Json.JsonStrings.Return(rented);
        }
    }

    /// <summary>
    /// The name's raw UTF-8 bytes, when the view wraps an element and the name has no escapes; lets a caller
    /// compare one name against many without re-reading it each time.
    /// </summary>
    internal bool TryGetUtf8Name(out ReadOnlySpan<byte> utf8Name)
    {
        if (_name is null)
        {
            var raw = Json.JsonRaw.Utf8Name(_property);
            if (raw.IndexOf((byte)'\\') < 0)
            {
                utf8Name = raw;
                return true;
            }
        }

        utf8Name = default;
        return false;
    }

    /// <summary>The name as UTF-16 without allocating a string (see <see cref="Json.JsonStrings.GetChars"/> for the buffer contract).</summary>
    internal ReadOnlySpan<char> GetNameChars(Span<char> scratch, out char[]? rented)
    {
        if (_name is not null)
        {
            rented = null;
            return _name.AsSpan();
        }

        return Json.JsonStrings.GetNameChars(_property, scratch, out rented);
    }

    private static bool Utf8Equals(string name, ReadOnlySpan<byte> utf8)
    {
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(name.Length);
        Span<byte> buffer = max <= 256 ? stackalloc byte[256] : new byte[max];
        var written = System.Text.Encoding.UTF8.GetBytes(name, buffer);
        return buffer[..written].SequenceEqual(utf8);
    }
}
