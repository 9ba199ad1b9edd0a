namespace PolicyLayer.Policies;

/// <summary>Where a path starts.</summary>
public enum PathRoot
{
    /// <summary><c>args</c>: the call's arguments object.</summary>
    Args,

    /// <summary><c>caller</c>: attributes the host supplies about the caller.</summary>
    Caller,

    /// <summary><c>tool</c>: the tool's name.</summary>
    Tool,

    /// <summary><c>grant</c>: the grant id.</summary>
    Grant,

    /// <summary><c>session</c>: the session id.</summary>
    Session,
}

/// <summary>
/// A parsed path such as <c>args.items.0.sku</c>: a root and the segments below it. A segment that is a
/// non-negative integer also indexes arrays.
/// </summary>
public sealed class PolicyPath
{
    private PolicyPath(string text, PathRoot root, string[] segments)
    {
        Text = text;
        Root = root;
        Indexes = Array.ConvertAll(segments, s => int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : -1);
        Utf8Segments = Array.ConvertAll(segments, System.Text.Encoding.UTF8.GetBytes);
        SegmentArray = segments;
        IsTopLevelArgument = root == PathRoot.Args && segments.Length == 1;
    }

    /// <summary>The path as written.</summary>
    public string Text { get; }

    /// <summary>Where the path starts.</summary>
    public PathRoot Root { get; }

    /// <summary>The property names (or array indexes) below the root.</summary>
    public IReadOnlyList<string> Segments => SegmentArray;

    /// <summary>For each segment, its value as an array index, or -1.</summary>
    internal int[] Indexes { get; }

    /// <summary>The segments encoded once, so looking them up in JSON does not transcode on every call.</summary>
    internal byte[][] Utf8Segments { get; }

    internal string[] SegmentArray { get; }

    /// <summary>Whether the path names one argument, <c>args.name</c>: the shape most conditions have.</summary>
    internal bool IsTopLevelArgument { get; }

    /// <summary>Parses a path.</summary>
    /// <param name="text">The path text.</param>
    /// <param name="path">The path, on success.</param>
    /// <param name="error">Why the path is invalid, on failure.</param>
    /// <returns><see langword="true"/> when the path is valid.</returns>
    public static bool TryParse(string text, out PolicyPath? path, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        path = null;
        var parts = text.Split('.');
        PathRoot root;
        switch (parts[0])
        {
            case "args": root = PathRoot.Args; break;
            case "caller": root = PathRoot.Caller; break;
            case "tool": root = PathRoot.Tool; break;
            case "grant": root = PathRoot.Grant; break;
            case "session": root = PathRoot.Session; break;
            default:
                error = $"the path '{text}' must start with 'args', 'caller', 'tool', 'grant' or 'session' (for example 'args.amount')";
                return false;
        }

        if (root is PathRoot.Tool or PathRoot.Grant or PathRoot.Session && parts.Length > 1)
        {
            error = $"the path '{text}' cannot go below '{parts[0]}', which is a string; write just '{parts[0]}'";
            return false;
        }

        for (var i = 1; i < parts.Length; i++)
        {
            if (parts[i].Length == 0)
            {
                error = $"the path '{text}' has an empty segment; separate names with single dots, as in 'args.customer.id'";
                return false;
            }
        }

        path = new PolicyPath(text, root, parts[1..]);
        error = null;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
