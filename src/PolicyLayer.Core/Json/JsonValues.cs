using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>Equality and ordering of JSON values as JSON defines them, not as .NET types do.</summary>
internal static class JsonValues
{
    /// <summary>How deep the library's other walks over JSON values (the canonical form of arguments) descend.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// JSON equality: numbers by exact value (<c>1</c>, <c>1.0</c> and <c>1e0</c> are equal), strings ordinal,
    /// arrays element-wise, objects as unordered sets of properties.
    /// </summary>
    /// <remarks>
    /// The comparison descends only as deep as the shallower value (in a schema, the constant, or an instance already
    /// held to the depth limit). Should the stack still run short, the values are reported as not equal rather than
    /// overflowing it.
    /// </remarks>
    public static bool DeepEquals(JsonElement a, JsonElement b) => DeepEquals(a, b, 0);

    /// <summary>Compares two numbers exactly, whatever their size or precision.</summary>
    /// <returns>Negative, zero or positive as <paramref name="a"/> is less than, equal to or greater than <paramref name="b"/>.</returns>
    /// <exception cref="ArgumentException">Either value is not a number.</exception>
    public static int CompareNumbers(JsonElement a, JsonElement b)
    {
        RequireNumber(a, nameof(a));
        RequireNumber(b, nameof(b));
        return JsonNumber.Compare(JsonRaw.Utf8(a), JsonRaw.Utf8(b));
    }

    /// <summary>Whether a number has no fractional part (<c>1.0</c> and <c>1e2</c> are integers).</summary>
    /// <exception cref="ArgumentException">The value is not a number.</exception>
    public static bool IsInteger(JsonElement number)
    {
        RequireNumber(number, nameof(number));
        return JsonNumber.Parse(JsonRaw.Utf8(number)).IsInteger;
    }

    private static bool DeepEquals(JsonElement a, JsonElement b, int depth)
    {
        // Probed every few levels only: equality of scalars (enum values) is on the hot path.
        if (depth % 16 == 15 && !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return false;
        }

        var kind = a.ValueKind;
        if (kind != b.ValueKind)
        {
            return false;
        }

        switch (kind)
        {
            case JsonValueKind.Number:
                return JsonNumber.Compare(JsonRaw.Utf8(a), JsonRaw.Utf8(b)) == 0;
            case JsonValueKind.String:
                return StringEquals(a, b);
            case JsonValueKind.Array:
                return ArrayEquals(a, b, depth);
            case JsonValueKind.Object:
                return ObjectEquals(a, b, depth);
            default:
                return true; // true, false, null, undefined: the kind is the value
        }
    }

    private static bool StringEquals(JsonElement a, JsonElement b)
    {
        // Without escapes the raw UTF-8 bytes are the text: compare them directly.
        var rawA = JsonRaw.Utf8(a);
        var rawB = JsonRaw.Utf8(b);
        if (rawA.IndexOf((byte)'\\') < 0 && rawB.IndexOf((byte)'\\') < 0)
        {
            return rawA.SequenceEqual(rawB);
        }

        return DecodedStringEquals(a, b);
    }

    // Kept apart so that the scratch buffers are only set up (and cleared) for strings with escapes.
    private static bool DecodedStringEquals(JsonElement a, JsonElement b)
    {
        Span<char> scratchA = stackalloc char[128];
        Span<char> scratchB = stackalloc char[128];
        var charsA = JsonStrings.GetChars(a, scratchA, out var rentedA);
        var charsB = JsonStrings.GetChars(b, scratchB, out var rentedB);
        try
        {
            return charsA.SequenceEqual(charsB);
        }
        finally
        {
            JsonStrings.Return(rentedA);
            JsonStrings.Return(rentedB);
        }
    }

    private static bool ArrayEquals(JsonElement a, JsonElement b, int depth)
    {
        if (a.GetArrayLength() != b.GetArrayLength())
        {
            return false;
        }

        var right = b.EnumerateArray();
        foreach (var left in a.EnumerateArray())
        {
            right.MoveNext();
            if (!DeepEquals(left, right.Current, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ObjectEquals(JsonElement a, JsonElement b, int depth)
    {
        var count = 0;
        foreach (var property in a.EnumerateObject())
        {
            count++;
            if (!TryGetProperty(b, property, out var other) || !DeepEquals(property.Value, other, depth + 1))
            {
                return false;
            }
        }

        var countB = 0;
        foreach (var unused in b.EnumerateObject())
        {
            countB++;
        }

        // Duplicate names could make equal counts lie; System.Text.Json keeps the last one for lookups,
        // so compare counts only as a quick rejection of extra properties.
        return count == countB;
    }

    private static bool TryGetProperty(JsonElement obj, JsonProperty property, out JsonElement value)
    {
        var name = JsonRaw.Utf8Name(property);
        if (name.IndexOf((byte)'\\') < 0)
        {
            return JsonLookup.TryGetProperty(obj, name, out value);
        }

        // Decoded without property.Name, which throws for a lone surrogate.
        var chars = JsonStrings.GetNameChars(property, stackalloc char[128], out var rented);
        try
        {
            return JsonLookup.TryGetProperty(obj, chars, out value);
        }
        finally
        {
            JsonStrings.Return(rented);
        }
    }

    private static void RequireNumber(JsonElement value, string parameterName)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new ArgumentException($"Expected a JSON number but got {value.ValueKind}.", parameterName);
        }
    }
}
