namespace PolicyLayer.Schema.Compilation;

/// <summary>URI resolution for <c>$id</c> and <c>$ref</c> (RFC 3986), including URNs that <see cref="Uri"/> cannot use as a base.</summary>
internal static class SchemaUris
{
    /// <summary>The base of a root schema without <c>$id</c>.</summary>
    public const string DefaultBase = "urn:policylayer:schema";

    public static bool TryResolve(string baseUri, string reference, out string resolved)
    {
        resolved = reference;
        if (HasScheme(reference))
        {
            return true;
        }

        var baseWithoutFragment = WithoutFragment(baseUri);
        if (reference.Length == 0)
        {
            resolved = baseWithoutFragment;
            return true;
        }

        if (reference[0] == '#')
        {
            resolved = baseWithoutFragment + reference;
            return true;
        }

        if (System.Uri.TryCreate(baseWithoutFragment, UriKind.Absolute, out var absolute) && !baseWithoutFragment.StartsWith("urn:", StringComparison.OrdinalIgnoreCase)
            && System.Uri.TryCreate(absolute, reference, out var combined))
        {
            resolved = combined.OriginalString.Length > 0 && !combined.IsFile ? combined.AbsoluteUri : combined.ToString();
            return true;
        }

        return false;
    }

    public static string WithoutFragment(string uri)
    {
        var hash = uri.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? uri : uri[..hash];
    }

    public static string Fragment(string uri)
    {
        var hash = uri.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? string.Empty : uri[(hash + 1)..];
    }

    private static bool HasScheme(string reference)
    {
        if (reference.Length == 0 || !char.IsAsciiLetter(reference[0]))
        {
            return false;
        }

        for (var i = 1; i < reference.Length; i++)
        {
            var c = reference[i];
            if (c == ':')
            {
                return true;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '-' && c != '.')
            {
                return false;
            }
        }

        return false;
    }
}
