using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Policies;
using PolicyLayer.Tests.Fuzzing;

namespace PolicyLayer.Cli.Tests;

/// <summary>
/// The commands on mutated files (the test data's policies, tools list and recorded calls, mutated as hand edits and
/// broken exports mutate them), run in process: whatever the input, a command ends with one of its exit codes, never
/// an unhandled exception; invalid input is reported as <c>file:line:col: error CODE: message</c>; <c>replay</c> writes
/// one JSON line per input line; and <c>scaffold</c> only ever writes a policy that loads.
/// </summary>
public sealed class MutatedInputPropertyTests : IDisposable
{
    private static readonly string[] Policies =
        [.. new[] { "lint/policy.json", "replay/policy.json", "check/valid.json" }.Select(f => File.ReadAllText(Path.Combine(CliRunner.TestData, f)))];

    private static readonly string Tools = File.ReadAllText(Path.Combine(CliRunner.TestData, "lint/tools.json"));

    private static readonly string[] Calls = File.ReadAllLines(Path.Combine(CliRunner.TestData, "replay/mixed.jsonl"));

    private static readonly string[] Vocabulary =
    [
        "tools", "name", "inputSchema", "annotations", "readOnlyHint", "destructiveHint", "tool", "args", "grant", "session",
        "caller", "at", "result", "ok", "error", "2025-03-01T10:00:00Z", "2025-02-30T10:00:00Z", "x-note", "version", "default",
        "deny", "allow", "limits", "deny_if", "require", "conditions", "path", "op", "value", "args.amount", "schema", "type",
        "properties", "required", "enum", "const", "create_refund", "close_session", "read_file",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("policylayer-mutated-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Property(MaxTest = 300)]
    public Property MutatedFiles_EndInAnExitCode_AndReportWhere() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var mutator = new JsonMutator(random, Vocabulary);
            var policy = Write("policy.json", mutator.Mutate(Policies[random.Next(Policies.Length)], random.Next(0, 3)));
            var tools = Write("tools.json", mutator.Mutate(Tools, random.Next(0, 3)));
            var lines = Calls.Select(line => random.Next(3) == 0 ? mutator.Mutate(line, 1).Replace('\n', ' ') : line).ToArray();
            var calls = Write("calls.jsonl", string.Join('\n', lines) + "\n");

            var check = Run("check", policy, "--tools", tools, "--json");
            Assert.True(check.ExitCode is 0 or 2, check.ToString());
            if (check.ExitCode == 0)
            {
                JsonDocument.Parse(check.Out).Dispose();
            }

            // As text, every error and warning is one line of its own.
            var text = Run("check", policy, "--tools", tools);
            Assert.Equal(check.ExitCode, text.ExitCode);
            Assert.All(text.Lines.SkipLast(text.ExitCode == 0 ? 1 : 0), line => Assert.Matches(@"^.+:\d+:\d+: (error|warning) [A-Z]+\d+: .* \(at .*\)$", line));

            var scaffold = Run("scaffold", "--tools", tools);
            Assert.True(scaffold.ExitCode is 0 or 2, scaffold.ToString());
            if (scaffold.ExitCode == 0)
            {
                var written = Policy.Load(scaffold.Out);
                Assert.True(written.Succeeded, $"scaffold wrote a policy that does not load: {string.Join("; ", written.Errors)}\n{scaffold.Out}");
            }

            var replay = Run("replay", policy, calls);
            Assert.True(replay.ExitCode is 0 or 1 or 2, replay.ToString());
            if (replay.ExitCode != 2)
            {
                Assert.Equal(lines.Count(l => l.Trim().Length > 0), replay.JsonLines.Length);
            }

            return true;
        });

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static CliResult Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var exit = Task.Run(() => CliApp.RunAsync(args, new CliConsole(output, error, useColor: false))).GetAwaiter().GetResult();
        var result = new CliResult(exit, output.ToString(), error.ToString());
        Assert.DoesNotContain("Unhandled exception", result.Error, StringComparison.Ordinal);
        foreach (var line in result.ErrorLines)
        {
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(line, @"^.+:\d+:\d+: error [A-Z]+\d+: "), $"not a located error: {line}\n{result}");
        }

        return result;
    }
}
