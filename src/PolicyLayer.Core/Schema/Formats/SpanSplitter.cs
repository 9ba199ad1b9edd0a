namespace PolicyLayer.Schema.Formats;

/// <summary>Splits text on a separator without allocating (what MemoryExtensions.Split does on newer frameworks).</summary>
internal ref struct SpanSplitter
{
    private readonly char _separator;
    private ReadOnlySpan<char> _rest;
    private bool _done;

    public SpanSplitter(ReadOnlySpan<char> text, char separator)
    {
        _rest = text;
        _separator = separator;
        _done = false;
        Current = default;
    }

    public ReadOnlySpan<char> Current { get; private set; }

    public readonly SpanSplitter GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        var index = _rest.IndexOf(_separator);
        if (index < 0)
        {
            Current = _rest;
            _done = true;
        }
        else
        {
            Current = _rest[..index];
            _rest = _rest[(index + 1)..];
        }

        return true;
    }
}
