namespace PolicyLayer.Counters;

/// <summary>
/// The definition of one named budget: the counter a policy's limits share. Two definitions are equal when
/// every field is equal, which is what lets a budget survive a policy reload.
/// </summary>
public sealed class CounterDefinition : IEquatable<CounterDefinition>
{
    /// <summary>Creates a definition.</summary>
    /// <param name="name">The counter's name in the policy.</param>
    /// <param name="window">The sliding window's length; positive.</param>
    /// <param name="max">The most cost admitted in any window-length interval; positive.</param>
    /// <param name="scope">Who shares one budget.</param>
    /// <param name="keyPath">The path (as written in the policy) whose value partitions the budget further, or <see langword="null"/>.</param>
    public CounterDefinition(string name, TimeSpan window, decimal max, CounterScope scope = CounterScope.Grant, string? keyPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(max, 0m);
        Name = name;
        Window = window;
        Max = max;
        Scope = scope;
        KeyPath = keyPath;
        _hashCode = HashCode.Combine(Name, Window, Max, Scope, KeyPath);
    }

    // Computed once: budgets are looked up by a key that hashes its counter on every call.
    private readonly int _hashCode;

    /// <summary>The counter's name.</summary>
    public string Name { get; }

    /// <summary>The sliding window's length.</summary>
    public TimeSpan Window { get; }

    /// <summary>The most cost admitted in any window-length interval.</summary>
    public decimal Max { get; }

    /// <summary>Who shares one budget.</summary>
    public CounterScope Scope { get; }

    /// <summary>The path whose value partitions the budget further, or <see langword="null"/>.</summary>
    public string? KeyPath { get; }

    /// <summary>
    /// Whether two costs for one budget add up to at most <see cref="Max"/>, worked out without adding them: both are
    /// non-negative, so <c>Max - added</c> cannot overflow, while a sum above the maximum may not even be a decimal.
    /// </summary>
    internal bool HoldsBoth(decimal earlier, decimal added) => earlier <= Max - added;

    /// <inheritdoc />
    public bool Equals(CounterDefinition? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Name == other.Name && Window == other.Window && Max == other.Max && Scope == other.Scope && KeyPath == other.KeyPath));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CounterDefinition);

    /// <inheritdoc />
    public override int GetHashCode() => _hashCode;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Max} per {Window}, {Scope}{(KeyPath is null ? "" : ", key " + KeyPath)})";
}
