using System.CommandLine;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Output;
using PolicyLayer.Cli.Replay;
using PolicyLayer.Policies;

namespace PolicyLayer.Cli.Commands;

/// <summary>
/// <c>policylayer diff old.json new.json calls.jsonl</c>: replays the same traffic through both policies (each
/// with its own budgets and clock) and reports every call whose decision changes, grouped by rule.
/// Exit 0 when nothing changes, 1 when some decisions change or lines are malformed.
/// </summary>
internal static class DiffCommand
{
    private sealed record Change(int Line, string Tool, DecisionRecord Old, DecisionRecord New);

    public static Command Create(CliConsole console)
    {
        var oldPolicy = CommonOptions.PolicyArgument("old");
        var newPolicy = CommonOptions.PolicyArgument("new");
        var calls = new Argument<string>("calls") { Description = "The recorded calls, one JSON object per line." };
        var json = CommonOptions.Json();
        var command = new Command("diff", "Show which recorded calls a policy change decides differently.") { oldPolicy, newPolicy, calls, json };
        command.SetAction(parse => CommonOptions.RunAsync(console, () =>
            RunAsync(console, parse.GetValue(oldPolicy)!, parse.GetValue(newPolicy)!, parse.GetValue(calls)!, parse.GetValue(json))));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string oldPath, string newPath, string callsPath, bool json)
    {
        var errors = new List<string>();
        var policies = new[] { oldPath, newPath }.Select(path =>
        {
            var result = InputFiles.LoadPolicyResult(path);
            errors.AddRange(result.Errors.Select(e => e.ToString()));
            return result.Policy;
        }).ToArray();
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var start = TimeProvider.System.GetUtcNow();
        var before = new Replayer(policies[0]!, start);
        var after = new Replayer(policies[1]!, start);
        var changes = new List<Change>();
        var malformed = new List<string>();
        var total = 0;
        using var reader = CallFile.Open(callsPath);
        foreach (var line in CallFile.Read(reader))
        {
            if (line.Call is not { } call)
            {
                malformed.Add(line.Error!);
                continue;
            }

            var (oldDecision, error) = await before.StepAsync(call).ConfigureAwait(false);
            var (newDecision, _) = await after.StepAsync(call).ConfigureAwait(false);
            if (oldDecision is null || newDecision is null)
            {
                malformed.Add($"line {line.Number}: {error}");
                continue;
            }

            total++;
            if (oldDecision.Decision != newDecision.Decision || oldDecision.Rule != newDecision.Rule)
            {
                changes.Add(new Change(line.Number, call.Tool, oldDecision, newDecision));
            }
        }

        var groups = changes.GroupBy(c => (OldRule: c.Old.Rule, NewRule: c.New.Rule, OldDecision: c.Old.Decision, NewDecision: c.New.Decision)).ToList();
        if (json)
        {
            await console.Out.WriteLineAsync(JsonText.Document(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("calls", total);
                w.WriteNumber("changed", changes.Count);
                w.WriteStartArray("groups");
                foreach (var group in groups)
                {
                    w.WriteStartObject();
                    w.WriteString("from_decision", group.Key.OldDecision);
                    w.WriteString("from_rule", group.Key.OldRule);
                    w.WriteString("to_decision", group.Key.NewDecision);
                    w.WriteString("to_rule", group.Key.NewRule);
                    w.WriteStartArray("lines");
                    foreach (var change in group)
                    {
                        w.WriteNumberValue(change.Line);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartArray("errors");
                foreach (var error in malformed)
                {
                    w.WriteStringValue(error);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            })).ConfigureAwait(false);
        }
        else
        {
            foreach (var group in groups)
            {
                await console.Out.WriteLineAsync($"{group.Key.OldDecision} by {group.Key.OldRule} -> {Paint(console, group.Key.NewDecision)} by {group.Key.NewRule}: {group.Count()} call(s)").ConfigureAwait(false);
                foreach (var change in group)
                {
                    // The tool and the message quote the recorded calls: shown with control characters escaped.
                    await console.Out.WriteLineAsync($"  line {change.Line}: {ErrorLines.Escape(change.Tool)}: {ErrorLines.Escape(change.New.Message)}").ConfigureAwait(false);
                }
            }

            foreach (var error in malformed)
            {
                await console.Out.WriteLineAsync($"error: {ErrorLines.Escape(error)}").ConfigureAwait(false);
            }

            await console.Out.WriteLineAsync($"{changes.Count} of {total} call(s) decided differently").ConfigureAwait(false);
        }

        return changes.Count > 0 || malformed.Count > 0 ? ExitCodes.Findings : ExitCodes.Ok;
    }

    private static string Paint(CliConsole console, string decision) => decision switch
    {
        "allow" => console.Green(decision),
        "deny" => console.Red(decision),
        _ => console.Yellow(decision),
    };
}
