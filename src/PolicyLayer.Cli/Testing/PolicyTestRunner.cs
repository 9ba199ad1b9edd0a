using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Replay;

namespace PolicyLayer.Cli.Testing;

/// <summary>The result of one test: passed, or why not.</summary>
internal sealed record PolicyTestResult(PolicyTestFile File, PolicyTestCase Test, DecisionRecord? Actual, string? Failure)
{
    public bool Passed => Failure is null;
}

/// <summary>Runs the tests of one file in order against a fresh replay of its policy.</summary>
internal static class PolicyTestRunner
{
    /// <summary>
    /// The time of the calls before a file's first <c>at</c>. Fixed rather than the current time, so that a test gives the
    /// same answer on every run: where "now" falls within a limit's segment changes how long a refused call must wait.
    /// </summary>
    private static readonly DateTimeOffset Start = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<IReadOnlyList<PolicyTestResult>> RunAsync(PolicyTestFile file)
    {
        var policy = InputFiles.LoadPolicy(file.PolicyPath);
        var replayer = new Replayer(policy, Start);
        var results = new List<PolicyTestResult>();
        foreach (var test in file.Tests)
        {
            var (actual, error) = await replayer.StepAsync(test.Call).ConfigureAwait(false);
            results.Add(new PolicyTestResult(file, test, actual, error ?? Compare(test.Expect, actual!)));
        }

        return results;
    }

    private static string? Compare(Expectation expect, DecisionRecord actual)
    {
        var problems = new List<string>();
        if (expect.Decision != actual.Decision)
        {
            problems.Add($"expected {expect.Decision}, got {actual.Decision}");
        }

        if (expect.Rule is { } rule && rule != actual.Rule)
        {
            problems.Add($"expected rule {rule}, got {actual.Rule}");
        }

        if (expect.MessageContains is { } text && !actual.Message.Contains(text, StringComparison.Ordinal))
        {
            problems.Add($"expected the message to contain \"{text}\"");
        }

        if (expect.RetryAfter is { } retry && retry != actual.RetryAfterSeconds)
        {
            problems.Add($"expected retry_after {retry}, got {actual.RetryAfterSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}");
        }

        return problems.Count == 0 ? null : $"{string.Join("; ", problems)} (decision: {actual.Decision} by {actual.Rule}: {actual.Message})";
    }
}
