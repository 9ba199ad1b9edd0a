namespace PolicyLayer.Counters;

/// <summary>
/// Identifies one budget: a counter, the partition its scope selects (a grant id, a session id, or empty for
/// global) and, when the counter has a key, the key's value.
/// </summary>
/// <remarks>A value type compared by value, so that looking a budget up allocates nothing.</remarks>
public readonly struct CounterKey : IEquatable<CounterKey>
{
    /// <summary>Creates a key.</summary>
    /// <param name="counter">The counter.</param>
    /// <param name="partition">The grant or session id for scoped counters; empty for global ones.</param>
    /// <param name="keyValue">
    /// The text of the counter's key value, or <see langword="null"/>: keys with equal text share a budget. The
    /// authorizer gives values equal as JSON one text (a string its own text; anything else, or a string beginning
    /// with <c>json:</c>, <c>json:</c> and its canonical JSON text), so <c>1</c> and <c>1.0</c> share a budget and
    /// <c>"1"</c> and <c>1</c> do not.
    /// </param>
    public CounterKey(CounterDefinition counter, string partition, string? keyValue = null)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(partition);
        Counter = counter;
        Partition = partition;
        KeyValue = keyValue;
    }

    /// <summary>The counter.</summary>
    public CounterDefinition Counter { get; }

    /// <summary>The grant or session id, or empty for a global counter.</summary>
    public string Partition { get; }

    /// <summary>The text of the key path's value (see the constructor), or <see langword="null"/>.</summary>
    public string? KeyValue { get; }

    /// <inheritdoc />
    public bool Equals(CounterKey other) =>
        string.Equals(Partition, other.Partition, StringComparison.Ordinal)
        && string.Equals(KeyValue, other.KeyValue, StringComparison.Ordinal)
        && (ReferenceEquals(Counter, other.Counter) || (Counter is not null && Counter.Equals(other.Counter)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CounterKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Counter?.GetHashCode() ?? 0, Partition, KeyValue);

    /// <summary>Compares two keys by value.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(CounterKey left, CounterKey right) => left.Equals(right);

    /// <summary>Compares two keys by value.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(CounterKey left, CounterKey right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => KeyValue is null ? $"{Counter?.Name}[{Partition}]" : $"{Counter?.Name}[{Partition}][{KeyValue}]";
}
