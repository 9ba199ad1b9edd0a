using System.Collections.Concurrent;
using System.Text.Json;

namespace PolicyLayer.Schema;

/// <summary>
/// Schema documents known by URI, so that a <c>$ref</c> to another document resolves without any network access.
/// </summary>
public sealed class JsonSchemaRegistry
{
    private readonly ConcurrentDictionary<string, JsonElement> _documents = new(StringComparer.Ordinal);

    /// <summary>Registers a document under a URI (its fragment, if any, is ignored).</summary>
    /// <param name="uri">An absolute URI.</param>
    /// <param name="document">The schema document; it is cloned.</param>
    public void Register(Uri uri, JsonElement document)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException($"The URI '{uri}' must be absolute.", nameof(uri));
        }

        _documents[Normalize(uri)] = document.Clone();
    }

    /// <summary>Looks up a registered document.</summary>
    /// <param name="uri">An absolute URI.</param>
    /// <param name="document">The document, when registered.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool TryGet(Uri uri, out JsonElement document)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return _documents.TryGetValue(Normalize(uri), out document);
    }

    private static string Normalize(Uri uri) => uri.GetLeftPart(UriPartial.Query);
}
