using System.CommandLine;
using System.Text.Json;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Lint;
using PolicyLayer.Cli.Output;
using PolicyLayer.Policies;

namespace PolicyLayer.Cli.Commands;

/// <summary><c>policylayer check policy.json</c>: does the policy load? Every error as <c>file:line:col: error CODE: ...</c>.</summary>
internal static class CheckCommand
{
    public static Command Create(CliConsole console)
    {
        var policy = CommonOptions.PolicyArgument();
        var tools = new Option<string>("--tools") { Description = "A saved tools/list result of the server: warn about rules for tools it lacks, and lint against the declared input schemas." };
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 1) when there are warnings." };
        var json = CommonOptions.Json();
        var command = new Command("check", "Load a policy and report every error (exit 2) and warning (exit 1 with --strict), or confirm it loads (exit 0).") { policy, tools, strict, json };
        command.SetAction(parse => CommonOptions.Run(console, () =>
            Run(console, parse.GetValue(policy)!, parse.GetValue(tools), parse.GetValue(strict), parse.GetValue(json))));
        return command;
    }

    private static int Run(CliConsole console, string path, string? toolsPath, bool strict, bool json)
    {
        var serverTools = toolsPath is null ? null : ToolsFile.Load(toolsPath);
        var text = InputFiles.ReadText(path);
        var result = Policy.Load(text, path);
        var warnings = result.Policy is { } policy ? Located(path, text, PolicyLinter.Lint(policy, serverTools)) : [];
        if (json)
        {
            console.Out.WriteLine(JsonText.Document(w => WriteJson(w, path, result, warnings)));
        }
        else
        {
            foreach (var error in result.Errors)
            {
                console.Out.WriteLine(Colorize(console, error.ToString()));
            }

            foreach (var warning in warnings)
            {
                console.Out.WriteLine(Colorize(console, warning.ToString()));
            }

            if (result.Policy is { } loaded)
            {
                var summary = warnings.Count == 0 ? string.Empty : $", {warnings.Count} warning(s)";
                console.Out.WriteLine($"{path}: {(warnings.Count > 0 && strict ? console.Red("failed") : console.Green("ok"))} (revision {loaded.Revision}, {loaded.Tools.Count} tool rule(s), {loaded.Counters.Count} counter(s){summary})");
            }
        }

        return !result.Succeeded ? ExitCodes.InvalidInput
            : strict && warnings.Count > 0 ? ExitCodes.Findings
            : ExitCodes.Ok;
    }

    /// <summary>A warning with its place in the file.</summary>
    private sealed record LocatedWarning(LintWarning Warning, string File, int Line, int Column)
    {
        public override string ToString() =>
            $"{File}:{Line}:{Column}: warning {Warning.Code}: {ErrorLines.Escape(Warning.Message)} (at {ErrorLines.Escape(Warning.Pointer)})";
    }

    private static List<LocatedWarning> Located(string path, string text, IReadOnlyList<LintWarning> warnings)
    {
        var positions = SourcePositions.Read(
            SourcePositions.ToUtf8(text),
            new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true },
            []);
        return warnings.Select(w =>
        {
            var (line, column) = w.Pointer.EndsWith("/action", StringComparison.Ordinal) || w.Code == LintCodes.UnknownTool || w.Code == LintCodes.Unreachable && !w.Pointer.Contains("/deny_if/", StringComparison.Ordinal)
                ? positions.OfKey(w.Pointer)
                : positions.OfValue(w.Pointer);
            return new LocatedWarning(w, path, line, column);
        }).OrderBy(w => w.Line).ThenBy(w => w.Column).ToList();
    }

    private static string Colorize(CliConsole console, string line) =>
        !console.UseColor ? line
        : line.Replace(": error ", ": " + console.Red("error") + " ", StringComparison.Ordinal).Replace(": warning ", ": " + console.Yellow("warning") + " ", StringComparison.Ordinal);

    private static void WriteJson(Utf8JsonWriter w, string path, PolicyLoadResult result, List<LocatedWarning> warnings)
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
        w.WriteStartArray("warnings");
        foreach (var warning in warnings)
        {
            WriteDiagnostic(w, "warning", warning.Warning.Code, warning.Warning.Message, warning.Warning.Pointer, warning.Line, warning.Column, warning.File);
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
