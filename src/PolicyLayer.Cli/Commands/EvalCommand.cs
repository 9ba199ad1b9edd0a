using System.CommandLine;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Output;
using PolicyLayer.Cli.Replay;

namespace PolicyLayer.Cli.Commands;

/// <summary><c>policylayer eval policy.json --tool NAME [--args JSON] ...</c>: one decision, against fresh budgets.</summary>
internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var policy = CommonOptions.PolicyArgument();
        var call = new CallOptions();
        var json = CommonOptions.Json();
        var command = new Command("eval", "Decide one call (budgets start empty). Exit 0 whatever the decision.") { policy, json };
        call.AddTo(command);
        command.SetAction(parse => CommonOptions.RunAsync(console, async () =>
        {
            var loaded = InputFiles.LoadPolicy(parse.GetValue(policy)!);
            var line = call.Read(parse);
            var (decision, _) = await new Replayer(loaded, TimeProvider.System.GetUtcNow()).StepAsync(line).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await console.Out.WriteLineAsync(JsonText.Line(w =>
                {
                    w.WriteStartObject();
                    decision!.WriteFields(w);
                    w.WriteEndObject();
                })).ConfigureAwait(false);
            }
            else
            {
                await console.Out.WriteLineAsync(Describe(console, decision!)).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    internal static string Describe(CliConsole console, DecisionRecord decision)
    {
        var outcome = decision.Decision switch
        {
            "allow" => console.Green("allow"),
            "deny" => console.Red("deny"),
            _ => console.Yellow(decision.Decision),
        };
        var retry = decision.RetryAfterSeconds is { } s ? $" (retry after {s} s)" : string.Empty;
        return $"{outcome} by {decision.Rule}{retry}: {decision.Message}";
    }
}
