using PolicyLayer.Counters;

namespace PolicyLayer.Policies;

/// <summary>One limit of a tool (or of <c>all_tools</c>): a budget and what each call costs.</summary>
public sealed class Limit
{
    internal Limit(string pointer, CounterDefinition counter, decimal cost, PolicyPath? costPath, PolicyPath? keyPath, string? onDeny)
    {
        Pointer = pointer;
        Counter = counter;
        Cost = cost;
        CostPath = costPath;
        KeyPath = keyPath;
        OnDeny = onDeny;
    }

    /// <summary>The limit's JSON Pointer in the policy, such as <c>/tools/close_session/limits/0</c>.</summary>
    public string Pointer { get; }

    /// <summary>The budget's definition, shared by every limit naming the same counter.</summary>
    public CounterDefinition Counter { get; }

    /// <summary>The fixed cost of a call (1 unless <c>cost</c> says otherwise); ignored when <see cref="CostPath"/> is set.</summary>
    public decimal Cost { get; }

    /// <summary>The path whose number is the call's cost (a spend cap), or <see langword="null"/>.</summary>
    public PolicyPath? CostPath { get; }

    /// <summary>The path whose value partitions the budget further, or <see langword="null"/>.</summary>
    public PolicyPath? KeyPath { get; }

    /// <summary>The policy author's message for a refusal, or <see langword="null"/>.</summary>
    public string? OnDeny { get; }
}
