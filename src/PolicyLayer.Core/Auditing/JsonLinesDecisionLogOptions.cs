namespace PolicyLayer.Auditing;

/// <summary>What a <see cref="JsonLinesDecisionLog"/> does when its queue is full.</summary>
public enum DecisionLogFullMode
{
    /// <summary>The authorization waits until the queue has room (back-pressure): no record is ever lost.</summary>
    Wait,

    /// <summary>The record being written is dropped (and counted); authorizations never wait.</summary>
    DropNewest,

    /// <summary>The oldest queued record is dropped (and counted) to make room; authorizations never wait.</summary>
    DropOldest,
}

/// <summary>Options of <see cref="JsonLinesDecisionLog"/>.</summary>
public sealed class JsonLinesDecisionLogOptions
{
    /// <summary>The file records are appended to, one JSON object per line (created, with its folder, when missing). Required.</summary>
    public string? Path { get; set; }

    /// <summary>How many records may wait in the queue for the background writer. Default: 8,192.</summary>
    public int Capacity { get; set; } = 8192;

    /// <summary>What happens when the queue is full. Default: <see cref="DecisionLogFullMode.Wait"/> (no record is lost).</summary>
    public DecisionLogFullMode FullMode { get; set; } = DecisionLogFullMode.Wait;

    /// <summary>The sink's name in metrics (<c>policylayer.sink.name</c>) and logs. Default: <c>jsonl</c>.</summary>
    public string Name { get; set; } = "jsonl";

    /// <summary>Checks the options and returns every problem.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            problems.Add("JsonLinesDecisionLogOptions.Path is required: set it to the file decision records are appended to, for example \"logs/decisions.jsonl\".");
        }

        if (Capacity < 1)
        {
            problems.Add($"JsonLinesDecisionLogOptions.Capacity must be positive, not {Capacity}.");
        }

        if (!Enum.IsDefined(FullMode))
        {
            problems.Add($"JsonLinesDecisionLogOptions.FullMode must be Wait, DropNewest or DropOldest, not {FullMode}.");
        }

        if (string.IsNullOrEmpty(Name))
        {
            problems.Add("JsonLinesDecisionLogOptions.Name must not be empty.");
        }

        return problems;
    }
}
