namespace PolicyLayer.Cli.Tests;

public class TestCommandTests
{
    [Fact]
    public void Test_FailingExpectation_ReportsItAndExitsOne()
    {
        var result = CliRunner.Run("test", "test/failing");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [
                "test/failing/cases.test.json",
                "  pass reads pass",
                "  FAIL writes are wrongly expected to pass (test/failing/cases.test.json:5): expected allow, got deny (decision: deny by /tools/write: No writes.)",
                "  pass message check",
                "2 passed, 1 failed",
            ],
            result.Lines);
    }

    [Fact]
    public void Test_InvalidTestFile_ReportsEveryProblemAndExitsTwo()
    {
        var result = CliRunner.Run("test", "test/invalid");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            [
                "test/invalid/bad.test.json:4:34: error CLI002: the call has no 'tool'; add \"tool\": \"<name>\" (at /tests/0/call)",
                "test/invalid/bad.test.json:5:83: error CLI002: 'decision' must be \"allow\", \"deny\" or \"require_approval\" (at /tests/1/expect/decision)",
            ],
            result.ErrorLines);
    }

    [Theory]
    [InlineData("""{ "name": "t" }""", "error CLI002: 'tests' must be an array of { \"name\", \"call\", \"expect\" } (at /tests)")]
    [InlineData("""[ 7 ]""", "error CLI002: a test is an object: { \"name\": \"...\", \"call\": { \"tool\": \"...\" }, \"expect\": { \"decision\": \"allow\" } } (at /tests/0)")]
    [InlineData("""[ { "name": "t", "expect": { "decision": "allow" } } ]""", "error CLI002: the test has no 'call' (at /tests/0/call)")]
    [InlineData("""[ { "name": "t", "call": { "tool": "read" }, "expect": "allow" } ]""", "error CLI002: 'expect' must be an object such as { \"decision\": \"deny\", \"rule\": \"/tools/x/deny_if/0\" } (at /tests/0/expect)")]
    [InlineData("""[ { "name": "t", "call": { "tool": "read" }, "expect": { "decision": "deny", "retry_after": 1.5 } } ]""", "error CLI002: 'retry_after' must be whole seconds (at /tests/0/expect/retry_after)")]
    public void Test_MalformedTests_EachProblemLocatedAndExitsTwo(string tests, string expected)
    {
        var folder = TestFolder(tests);
        try
        {
            var result = CliRunner.Run("test", folder);

            Assert.Equal(2, result.ExitCode);
            var error = Assert.Single(result.ErrorLines);
            Assert.StartsWith(Path.Combine(folder, "cases.test.json") + ":", error, StringComparison.Ordinal);
            Assert.EndsWith(expected, error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Test_RetryAfterExpectation_SameAnswerOnEveryRun()
    {
        // Without 'at', the calls happen at the runner's fixed start, not at the current time (whose place within a
        // limit's segment would change the wait from run to run).
        var folder = TestFolder("""
            [ { "name": "first", "call": { "tool": "read" }, "expect": { "decision": "allow" } },
              { "name": "second waits", "call": { "tool": "read" }, "expect": { "decision": "deny", "retry_after": 66 } },
              { "name": "wrong wait", "call": { "tool": "read" }, "expect": { "decision": "deny", "retry_after": 5 } } ]
            """, """{ "version": "1", "default": "deny", "tools": { "read": { "limits": [ { "counter": "reads", "window": "minute", "max": 1 } ] } } }""");
        try
        {
            var result = CliRunner.Run("test", folder);

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("  pass second waits", result.Lines[2]);
            Assert.StartsWith("  FAIL wrong wait (", result.Lines[3], StringComparison.Ordinal);
            Assert.Contains("expected retry_after 5, got 66", result.Lines[3], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A folder with a test file of these tests against a policy (by default one allowing the tool <c>read</c>).</summary>
    private static string TestFolder(string tests, string policy = """{ "version": "1", "default": "deny", "tools": { "read": {} } }""")
    {
        var folder = Directory.CreateTempSubdirectory("policylayer-test-").FullName;
        File.WriteAllText(Path.Combine(folder, "policy.json"), policy);
        File.WriteAllText(Path.Combine(folder, "cases.test.json"), $$"""{ "policy": "policy.json", "tests": {{tests}} }""");
        return folder;
    }

    [Fact]
    public void Test_TestFileWithLoneSurrogate_ReportsWhereAndExitsTwo()
    {
        var result = CliRunner.Run("test", "test/unreadable");

        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("test/unreadable/lone.test.json:4:46: error CLI002: this key contains an escaped lone surrogate", error, StringComparison.Ordinal);
        Assert.EndsWith("(at /tests/0/call/\\udc00)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_MissingFolder_ExitsTwo()
    {
        Assert.Equal(2, CliRunner.Run("test", "test/none").ExitCode);
    }

    [Fact]
    public void Test_Json_CountsPassedAndFailed()
    {
        var result = CliRunner.Run("test", "test/failing", "--json");

        using var document = System.Text.Json.JsonDocument.Parse(result.Out);
        Assert.Equal(2, document.RootElement.GetProperty("passed").GetInt32());
        Assert.Equal(1, document.RootElement.GetProperty("failed").GetInt32());
    }
}
