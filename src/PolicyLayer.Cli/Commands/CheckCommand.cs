using System.CommandLine;
using System.Text.Json;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Output;
using PolicyLayer.Policies;

namespace PolicyLayer.Cli.Commands;

/// <summary><c>policylayer check policy.json</c>: does the policy load? Every error as <c>file:line:col: error CODE: ...</c>.</summary>
internal static class CheckCommand
{
    public static Command Create(CliConsole console)
    {
        var policy = CommonOptions.PolicyArgument();
        var json = CommonOptions.Json();
        var command = new Command("check", "Load a policy and report every error (exit 2) or confirm it loads (exit 0).") { policy, json };
        command.SetAction(parse => CommonOptions.Run(console, () => Run(console, parse.GetValue(policy)!, parse.GetValue(json))));
        return command;
    }

    private static int Run(CliConsole console, string path, bool json)
    {
        var result = InputFiles.LoadPolicyResult(path);
        if (json)
        {
            console.Out.WriteLine(JsonText.Document(w => WriteJson(w, path, result)));
        }
        else if (result.Policy is { } loaded)
        {
            console.Out.WriteLine($"{path}: {console.Green("ok")} (revision {loaded.Revision}, {loaded.Tools.Count} tool rule(s), {loaded.Counters.Count} counter(s))");
        }
        else
        {
            foreach (var error in result.Errors)
            {
                console.Out.WriteLine(Colorize(console, error.ToString()));
            }
        }

        return result.Succeeded ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }

    private static string Colorize(CliConsole console, string line) =>
        console.UseColor ? line.Replace(": error ", ": " + console.Red("error") + " ", StringComparison.Ordinal) : line;

    private static void WriteJson(Utf8JsonWriter w, string path, PolicyLoadResult result)
    {
        w.WriteStartObject();
        w.WriteString("file", path);
        w.WriteBoolean("valid", result.Succeeded);
        if (result.Policy is { } loaded)
        {
            w.WriteString("revision", loaded.Revision);
        }

        w.WriteStartArray("errors");
        foreach (var error in result.Errors)
        {
            WriteDiagnostic(w, "error", error.Code, error.Message, error.Pointer, error.Line, error.Column, error.Source ?? path);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static void WriteDiagnostic(Utf8JsonWriter w, string severity, string code, string message, string pointer, int line, int column, string file)
    {
        w.WriteStartObject();
        w.WriteString("severity", severity);
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteString("pointer", pointer);
        w.WriteString("file", file);
        w.WriteNumber("line", line);
        w.WriteNumber("column", column);
        w.WriteEndObject();
    }
}
