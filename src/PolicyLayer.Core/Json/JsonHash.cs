using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>
/// A 128-bit hash of a JSON value that agrees with JSON equality: numbers by exact value (<c>1</c>, <c>1.0</c> and
/// <c>1e0</c> hash alike), strings by their decoded text, arrays in order, objects whatever the order of their
/// properties (as a multiset of name and value pairs).
/// </summary>
/// <remarks>
/// It lets <c>uniqueItems</c> find equal items in linear time: equal values always hash alike. Two different values
/// hashing alike is a chance of about 2^-128 per pair with seeds chosen at random per process (so a sender cannot
/// aim for it), and could only make an array look as if it held duplicates, a refusal rather than an admission.
/// </remarks>
internal static class JsonHash
{
    // The tag of texts that hold a lone surrogate (no JsonValueKind has this value).
    private const JsonValueKind IllFormedText = (JsonValueKind)0x80;

    private static readonly ulong SeedA = RandomSeed();
    private static readonly ulong SeedB = RandomSeed();

    /// <summary>Hashes a value found at <paramref name="depth"/>; <see langword="false"/> when it nests deeper than <paramref name="maxDepth"/>.</summary>
    public static bool TryCompute(JsonElement value, int depth, int maxDepth, out UInt128 hash)
    {
        hash = default;
        if (depth > maxDepth)
        {
            return false;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                hash = Number(JsonRaw.Utf8(value));
                return true;
            case JsonValueKind.String:
                hash = DecodedText(JsonRaw.Utf8(value)[1..^1]);
                return true;
            case JsonValueKind.Array:
                return TryArray(value, depth, maxDepth, out hash);
            case JsonValueKind.Object:
                return TryObject(value, depth, maxDepth, out hash);
            default:
                hash = Start(value.ValueKind);
                return true;
        }
    }

    private static bool TryArray(JsonElement array, int depth, int maxDepth, out UInt128 hash)
    {
        hash = default;
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return false; // only with a depth limit set far beyond what a stack holds
        }

        var state = Start(JsonValueKind.Array);
        foreach (var item in array.EnumerateArray())
        {
            if (!TryCompute(item, depth + 1, maxDepth, out var itemHash))
            {
                hash = default;
                return false;
            }

            state = Add(state, itemHash);
        }

        hash = state;
        return true;
    }

    private static bool TryObject(JsonElement obj, int depth, int maxDepth, out UInt128 hash)
    {
        hash = default;
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return false;
        }

        // A sum of each property's hash: the same whatever the order of the properties.
        UInt128 sum = 0;
        var count = 0UL;
        foreach (var property in obj.EnumerateObject())
        {
            if (!TryCompute(property.Value, depth + 1, maxDepth, out var valueHash))
            {
                hash = default;
                return false;
            }

            var name = DecodedText(JsonRaw.Utf8Name(property));
            sum += Add(name, valueHash);
            count++;
        }

        hash = Add(Add(Start(JsonValueKind.Object), count), sum);
        return true;
    }

    // The hash of a string's or name's decoded text: its UTF-8 bytes, which are the raw bytes unless it has escapes. A
    // text with a lone surrogate (escaped: "\ud800") has no UTF-8 form; its UTF-16 code units are hashed under a tag
    // of their own, so that it hashes alike only with the same text, never with the replacement character.
    private static UInt128 DecodedText(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Text(JsonValueKind.String, raw);
        }

        var chars = JsonStrings.Decode(raw, stackalloc char[128], out var rented);
        try
        {
            return JsonStrings.IsWellFormed(chars)
                ? Text(JsonValueKind.String, Encoding.UTF8.GetBytes(chars.ToArray()))
                : Text(IllFormedText, System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars));
        }
        finally
        {
            JsonStrings.Return(rented);
        }
    }

    // Sign, first-digit exponent and significant digits: what JsonNumber compares, so equal values hash alike.
    private static UInt128 Number(ReadOnlySpan<byte> raw)
    {
        var number = JsonNumber.Parse(raw);
        var state = Add(Start(JsonValueKind.Number), number.IsZero ? 0UL : number.Negative ? 1UL : 2UL);
        if (number.IsZero)
        {
            return state;
        }

        state = Add(state, (ulong)number.Scale);
        ulong chunk = 0;
        var count = number.DigitCount;
        for (var k = 0; k < count; k++)
        {
            chunk = (chunk * 10) + (ulong)number.Digit(k);
            if (k % 18 == 17)
            {
                state = Add(state, chunk);
                chunk = 0;
            }
        }

        return Add(Add(state, chunk), (ulong)count);
    }

    private static UInt128 Text(JsonValueKind kind, ReadOnlySpan<byte> bytes)
    {
        var state = Add(Start(kind), (ulong)bytes.Length);
        while (bytes.Length >= 8)
        {
            state = Add(state, BitConverter.ToUInt64(bytes));
            bytes = bytes[8..];
        }

        ulong last = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            last |= (ulong)bytes[i] << (8 * i);
        }

        return Add(state, last);
    }

    private static UInt128 Start(JsonValueKind kind) => new(Mix(SeedA + (ulong)kind), Mix(SeedB ^ (ulong)kind));

    private static UInt128 Add(UInt128 state, ulong value) =>
        new(Mix((ulong)(state >> 64) + value + SeedA), Mix(((ulong)state ^ value) * 0x9E3779B97F4A7C15UL + SeedB));

    private static UInt128 Add(UInt128 state, UInt128 value) => Add(Add(state, (ulong)(value >> 64)), (ulong)value);

    // The finalizer of MurmurHash3: every input bit affects every output bit.
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    private static ulong RandomSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }
}
