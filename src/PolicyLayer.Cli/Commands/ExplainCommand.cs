using System.CommandLine;
using PolicyLayer.Cli.Explain;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Output;

namespace PolicyLayer.Cli.Commands;

/// <summary><c>policylayer explain</c>: the evaluation of one call, step by step, ending with the decision.</summary>
internal static class ExplainCommand
{
    public static Command Create(CliConsole console)
    {
        var policy = CommonOptions.PolicyArgument();
        var call = new CallOptions();
        var json = CommonOptions.Json();
        var command = new Command("explain", "Show how one call is decided: each rule looked at, what each condition saw, each budget.") { policy, json };
        call.AddTo(command);
        command.SetAction(parse => CommonOptions.RunAsync(console, async () =>
        {
            var loaded = InputFiles.LoadPolicy(parse.GetValue(policy)!);
            var (steps, decision) = await Explainer.ExplainAsync(loaded, call.Read(parse)).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await console.Out.WriteLineAsync(JsonText.Document(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("steps");
                    foreach (var step in steps)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("depth", step.Depth);
                        w.WriteString("text", step.Text);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WritePropertyName("decision");
                    w.WriteStartObject();
                    decision.WriteFields(w);
                    w.WriteEndObject();
                    w.WriteEndObject();
                })).ConfigureAwait(false);
            }
            else
            {
                foreach (var step in steps)
                {
                    await console.Out.WriteLineAsync(new string(' ', step.Depth * 2) + step.Text).ConfigureAwait(false);
                }

                await console.Out.WriteLineAsync("decision: " + EvalCommand.Describe(console, decision)).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
