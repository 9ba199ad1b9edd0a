namespace PolicyLayer.Json;

/// <summary>Builds JSON Pointers (RFC 6901).</summary>
internal static class JsonPointer
{
    /// <summary>Escapes one reference token: <c>~</c> becomes <c>~0</c> and <c>/</c> becomes <c>~1</c>.</summary>
    public static string Escape(string token) =>
        token.AsSpan().IndexOfAny('~', '/') < 0 ? token : token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>Appends a property name to a pointer.</summary>
    public static string Append(string pointer, string name) => pointer + "/" + Escape(name);

    /// <summary>Appends an array index to a pointer.</summary>
    public static string Append(string pointer, int index) => pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
