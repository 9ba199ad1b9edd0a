using System.Text.Json;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Replay;

namespace PolicyLayer.Cli.Testing;

/// <summary>What a test expects of a decision. Unset fields are not checked.</summary>
internal sealed record Expectation(string Decision, string? Rule, string? MessageContains, long? RetryAfter);

/// <summary>One test: a named call and what its decision must be.</summary>
internal sealed record PolicyTestCase(string Name, CallLine Call, Expectation Expect, int Line);

/// <summary>
/// A <c>*.test.json</c> file: <c>{ "policy": "../policy.json", "tests": [ { "name", "call", "expect" } ] }</c>.
/// The tests of one file run in order against one set of budgets and one replay clock, so a file can test a
/// rate limit by repeating a call; each file starts fresh.
/// </summary>
internal sealed record PolicyTestFile(string Path, string PolicyPath, IReadOnlyList<PolicyTestCase> Tests)
{
    public static PolicyTestFile Load(string path)
    {
        var text = InputFiles.ReadText(path);
        using var document = InputFiles.ParseJson(path, text);
        var positions = PolicyLayer.Policies.SourcePositions.Read(
            PolicyLayer.Policies.SourcePositions.ToUtf8(text),
            new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true },
            []);
        var root = document.RootElement;

        string Error(string pointer, string message)
        {
            var (line, column) = positions.OfValue(pointer);
            return CliErrors.Format(path, line, column, CliErrors.BadFile, message, pointer);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InputException(Error("", "a test file is an object: { \"policy\": \"policy.json\", \"tests\": [ ... ] }"));
        }

        var errors = new List<string>();
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not ("policy" or "tests" or "description") && !property.Name.StartsWith("x-", StringComparison.Ordinal))
            {
                errors.Add(Error("/" + property.Name, $"unknown field '{property.Name}'; a test file has policy, tests and description"));
            }
        }

        if (!root.TryGetProperty("policy", out var policy) || policy.ValueKind != JsonValueKind.String)
        {
            errors.Add(Error("/policy", "'policy' must name the policy file, relative to the test file"));
        }

        var tests = new List<PolicyTestCase>();
        if (!root.TryGetProperty("tests", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            errors.Add(Error("/tests", "'tests' must be an array of { \"name\", \"call\", \"expect\" }"));
        }
        else
        {
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                var pointer = $"/tests/{index++}";
                if (ReadCase(item, pointer, Error, errors, positions.OfValue(pointer).Line) is { } test)
                {
                    tests.Add(test);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var policyPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path) ?? ".", policy.GetString()!);
        return new PolicyTestFile(path, policyPath, tests);
    }

    private static PolicyTestCase? ReadCase(JsonElement item, string pointer, Func<string, string, string> error, List<string> errors, int line)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(error(pointer, "a test is an object: { \"name\": \"...\", \"call\": { \"tool\": \"...\" }, \"expect\": { \"decision\": \"allow\" } }"));
            return null;
        }

        var count = errors.Count;
        foreach (var property in item.EnumerateObject())
        {
            if (property.Name is not ("name" or "call" or "expect") && !property.Name.StartsWith("x-", StringComparison.Ordinal))
            {
                errors.Add(error($"{pointer}/{property.Name}", $"unknown field '{property.Name}'; a test has name, call and expect"));
            }
        }

        var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : null;
        if (name is null)
        {
            errors.Add(error($"{pointer}/name", "'name' must be a string that says what the test checks"));
        }

        CallLine? call = null;
        if (!item.TryGetProperty("call", out var c))
        {
            errors.Add(error($"{pointer}/call", "the test has no 'call'"));
        }
        else if ((call = CallLineParser.Parse(c, out var callError)) is null)
        {
            errors.Add(error($"{pointer}/call", callError!));
        }

        var expect = item.TryGetProperty("expect", out var e) ? ReadExpectation(e, $"{pointer}/expect", error, errors) : null;
        if (e.ValueKind == JsonValueKind.Undefined)
        {
            errors.Add(error($"{pointer}/expect", "the test has no 'expect'; add { \"decision\": \"allow\" | \"deny\" | \"require_approval\" }"));
        }

        return errors.Count == count && call is not null && expect is not null ? new PolicyTestCase(name!, call, expect, line) : null;
    }

    private static Expectation? ReadExpectation(JsonElement expect, string pointer, Func<string, string, string> error, List<string> errors)
    {
        if (expect.ValueKind != JsonValueKind.Object)
        {
            errors.Add(error(pointer, "'expect' must be an object such as { \"decision\": \"deny\", \"rule\": \"/tools/x/deny_if/0\" }"));
            return null;
        }

        string? decision = null, rule = null, contains = null;
        long? retry = null;
        foreach (var property in expect.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "decision" when value.ValueKind == JsonValueKind.String && value.GetString() is "allow" or "deny" or "require_approval":
                    decision = value.GetString();
                    break;
                case "rule" when value.ValueKind == JsonValueKind.String:
                    rule = value.GetString();
                    break;
                case "message_contains" when value.ValueKind == JsonValueKind.String:
                    contains = value.GetString();
                    break;
                case "retry_after" when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds):
                    retry = seconds;
                    break;
                case "decision" or "rule" or "message_contains" or "retry_after":
                    errors.Add(error($"{pointer}/{property.Name}", property.Name == "decision"
                        ? "'decision' must be \"allow\", \"deny\" or \"require_approval\""
                        : property.Name == "retry_after" ? "'retry_after' must be whole seconds" : $"'{property.Name}' must be a string"));
                    break;
                default:
                    errors.Add(error($"{pointer}/{property.Name}", $"unknown field '{property.Name}'; 'expect' has decision, rule, message_contains and retry_after"));
                    break;
            }
        }

        if (decision is null && !expect.TryGetProperty("decision", out _))
        {
            errors.Add(error($"{pointer}/decision", "'expect' needs a 'decision'"));
        }

        return decision is null ? null : new Expectation(decision, rule, contains, retry);
    }
}
