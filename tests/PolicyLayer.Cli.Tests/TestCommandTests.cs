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
