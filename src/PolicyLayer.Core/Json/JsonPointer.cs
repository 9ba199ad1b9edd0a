using System.Text;
using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>Builds and resolves JSON Pointers (RFC 6901).</summary>
internal static class JsonPointer
{
    /// <summary>Escapes one reference token: <c>~</c> becomes <c>~0</c> and <c>/</c> becomes <c>~1</c>.</summary>
    public static string Escape(string token) =>
        token.AsSpan().IndexOfAny('~', '/') < 0 ? token : token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>Appends a property name to a pointer.</summary>
    public static string Append(string pointer, string name) => pointer + "/" + Escape(name);

    /// <summary>Appends an array index to a pointer.</summary>
    public static string Append(string pointer, int index) => pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Follows a pointer from an element; <see langword="false"/> when it leads nowhere.</summary>
    public static bool TryResolve(JsonElement root, string pointer, out JsonElement target)
    {
        target = root;
        if (pointer.Length == 0)
        {
            return true;
        }

        if (pointer[0] != '/')
        {
            return false;
        }

        foreach (var raw in pointer[1..].Split('/'))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            switch (target.ValueKind)
            {
                case JsonValueKind.Object when target.TryGetProperty(segment, out var child):
                    target = child;
                    break;
                case JsonValueKind.Array when int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < target.GetArrayLength():
                    target = target[index];
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>Decodes a URI fragment holding a JSON Pointer (percent-encoding).</summary>
    public static string FromFragment(string fragment) => System.Uri.UnescapeDataString(fragment);

    public static string Describe(string pointer) => pointer.Length == 0 ? "the root" : pointer;

    public static IEnumerable<string> Ancestors(string pointer)
    {
        var current = pointer;
        while (current.Length > 0)
        {
            current = current[..current.LastIndexOf('/')];
            yield return current;
        }
    }

    internal static string Join(IEnumerable<string> parts)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            builder.Append(part);
        }

        return builder.ToString();
    }
}
