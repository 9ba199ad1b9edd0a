using System.CommandLine;
using System.Text.Json;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Replay;
using PolicyLayer.Json;

namespace PolicyLayer.Cli.Commands;

/// <summary>The options that describe one call on the command line (<c>eval</c> and <c>explain</c>).</summary>
internal sealed class CallOptions
{
    public Option<string> Tool { get; } = new("--tool") { Description = "The tool's name.", Required = true };

    public Option<string> Args { get; } = new("--args") { Description = "The arguments, a JSON object (default {})." };

    public Option<string> Grant { get; } = new("--grant") { Description = "The grant id." };

    public Option<string> Session { get; } = new("--session") { Description = "The session id." };

    public Option<string> Caller { get; } = new("--caller") { Description = "The caller's attributes, a JSON object." };

    public void AddTo(Command command)
    {
        command.Add(Tool);
        command.Add(Args);
        command.Add(Grant);
        command.Add(Session);
        command.Add(Caller);
    }

    public CallLine Read(ParseResult parse) => new(
        parse.GetValue(Tool)!,
        ParseObject("--args", parse.GetValue(Args)) ?? JsonDocument.Parse("{}").RootElement.Clone(),
        parse.GetValue(Grant),
        parse.GetValue(Session),
        ParseObject("--caller", parse.GetValue(Caller)),
        At: null,
        Failed: false);

    private static JsonElement? ParseObject(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = CallLineParser.MaxDepth });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InputException($"{option}:1:1: error {CliErrors.BadArgument}: {option} must be a JSON object such as '{{\"amount\": 5}}'");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InputException($"{option}:1:{(ex.BytePositionInLine ?? 0) + 1}: error {CliErrors.BadArgument}: {option} is not valid JSON: {ReaderMessages.Clean(ex.Message)}");
        }
    }
}
