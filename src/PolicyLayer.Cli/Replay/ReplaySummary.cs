namespace PolicyLayer.Cli.Replay;

/// <summary>Counts of a replay's decisions by outcome and by deciding rule.</summary>
internal sealed class ReplaySummary
{
    private readonly SortedDictionary<string, int> _byOutcome = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string Rule, string Decision), int> _byRule = new();

    public int Calls { get; private set; }

    public int Malformed { get; private set; }

    public IReadOnlyDictionary<string, int> ByOutcome => _byOutcome;

    public IReadOnlyDictionary<(string Rule, string Decision), int> ByRule => _byRule;

    public void Add(DecisionRecord decision)
    {
        Calls++;
        _byOutcome[decision.Decision] = _byOutcome.GetValueOrDefault(decision.Decision) + 1;
        _byRule[(decision.Rule, decision.Decision)] = _byRule.GetValueOrDefault((decision.Rule, decision.Decision)) + 1;
    }

    public void AddMalformed() => Malformed++;
}
