using System.Text;
using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>Looks up an object's member by name, whatever names the object holds.</summary>
/// <remarks>
/// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> unescapes each escaped name it passes, and throws
/// when one escapes a lone surrogate (<c>{"\ud800": 1}</c> is valid JSON that <see cref="JsonDocument"/> accepts): one
/// such name in a caller's object would make every lookup in it throw. The lookup falls back to a scan that decodes
/// names losslessly (<see cref="JsonStrings"/>), so a name is found when it is there and a lone surrogate matches only
/// itself. As in System.Text.Json, the last of repeated names wins.
/// </remarks>
internal static class JsonLookup
{
    /// <summary>Finds the member named <paramref name="name"/> in an object element.</summary>
    public static bool TryGetProperty(JsonElement obj, ReadOnlySpan<char> name, out JsonElement value)
    {
        if (JsonStrings.IsWellFormed(name))
        {
            try
            {
                return obj.TryGetProperty(name, out value);
            }
            catch (InvalidOperationException)
            {
                // A name in the object escapes a lone surrogate: scan below.
            }
        }

        return TryScan(obj, name, out value);
    }

    /// <summary>Finds the member whose name is the (unescaped) UTF-8 <paramref name="utf8Name"/> in an object element.</summary>
    public static bool TryGetProperty(JsonElement obj, ReadOnlySpan<byte> utf8Name, out JsonElement value)
    {
        try
        {
            return obj.TryGetProperty(utf8Name, out value);
        }
        catch (InvalidOperationException)
        {
            return TryScan(obj, Encoding.UTF8.GetString(utf8Name), out value);
        }
    }

    private static bool TryScan(JsonElement obj, ReadOnlySpan<char> name, out JsonElement value)
    {
        var found = false;
        value = default;
        Span<char> scratch = stackalloc char[128];
        foreach (var property in obj.EnumerateObject())
        {
            var candidate = JsonStrings.GetNameChars(property, scratch, out var rented);
            try
            {
                if (candidate.SequenceEqual(name))
                {
                    found = true;
                    value = property.Value;
                }
            }
            finally
            {
                JsonStrings.Return(rented);
            }
        }

        return found;
    }
}
