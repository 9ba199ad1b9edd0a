using System.CommandLine;
using System.Globalization;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Output;
using PolicyLayer.Cli.Replay;

namespace PolicyLayer.Cli.Commands;

/// <summary>
/// <c>policylayer replay policy.json calls.jsonl</c>: one decision per call, in order, as JSON Lines (or a
/// table). Time follows the calls' <c>at</c>; malformed lines print an error object and make the exit code 1.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(CliConsole console)
    {
        var policy = CommonOptions.PolicyArgument();
        var calls = new Argument<string>("calls") { Description = "The recorded calls, one JSON object per line ('-' reads standard input)." };
        var summary = new Option<bool>("--summary") { Description = "Also print the decisions counted by outcome and by rule." };
        var format = new Option<string>("--format") { Description = "jsonl (default: one JSON decision per line) or table.", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "table");
        var json = CommonOptions.Json();
        var command = new Command("replay", "Replay recorded calls through a policy and print every decision.") { policy, calls, summary, format, json };
        command.SetAction(parse => CommonOptions.RunAsync(console, () => RunAsync(
            console,
            parse.GetValue(policy)!,
            parse.GetValue(calls)!,
            parse.GetValue(summary),
            parse.GetValue(json) ? "jsonl" : parse.GetValue(format)!)));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string policyPath, string callsPath, bool withSummary, string format)
    {
        var policy = InputFiles.LoadPolicy(policyPath);
        using var reader = CallFile.Open(callsPath);
        var replayer = new Replayer(policy, TimeProvider.System.GetUtcNow());
        var summary = new ReplaySummary();
        var table = format == "table" ? new DecisionTable(console) : null;
        foreach (var line in CallFile.Read(reader))
        {
            DecisionRecord? decision = null;
            var error = line.Error;
            if (line.Call is { } call)
            {
                (decision, var stepError) = await replayer.StepAsync(call).ConfigureAwait(false);
                error ??= stepError is null ? null : $"line {line.Number}: {stepError}";
            }

            if (decision is null)
            {
                summary.AddMalformed();
                if (table is null)
                {
                    await console.Out.WriteLineAsync(JsonText.Line(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("error", error);
                        w.WriteEndObject();
                    })).ConfigureAwait(false);
                }
                else
                {
                    table.AddError(line.Number, error!);
                }

                continue;
            }

            summary.Add(decision);
            if (table is null)
            {
                await console.Out.WriteLineAsync(JsonText.Line(w =>
                {
                    w.WriteStartObject();
                    decision.WriteFields(w);
                    w.WriteEndObject();
                })).ConfigureAwait(false);
            }
            else
            {
                table.Add(line.Number, line.Call!, decision);
            }
        }

        table?.Write();
        if (withSummary)
        {
            // Standard output stays one decision per line in JSON Lines; the summary then goes to standard error.
            WriteSummary(table is null ? console.Error : console.Out, summary);
        }

        return summary.Malformed > 0 ? ExitCodes.Findings : ExitCodes.Ok;
    }

    internal static void WriteSummary(TextWriter output, ReplaySummary summary)
    {
        output.WriteLine();
        output.WriteLine($"{summary.Calls} call(s) decided, {summary.Malformed} malformed line(s)");
        foreach (var (outcome, count) in summary.ByOutcome)
        {
            output.WriteLine($"  {outcome,-17} {count.ToString(CultureInfo.InvariantCulture),6}");
        }

        output.WriteLine("By rule:");
        foreach (var ((rule, decision), count) in summary.ByRule)
        {
            output.WriteLine($"  {count.ToString(CultureInfo.InvariantCulture),6}  {decision,-17} {rule}");
        }
    }
}
