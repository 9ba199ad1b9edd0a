namespace PolicyLayer.Cli.Tests;

public class CheckCommandTests
{
    [Fact]
    public void Check_ValidPolicy_ExitsZero()
    {
        var result = CliRunner.Run("check", "check/valid.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("check/valid.json: ok", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_InvalidPolicy_PrintsEveryErrorWithPositionAndExitsTwo()
    {
        var result = CliRunner.Run("check", "check/invalid.json");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            [
                "check/invalid.json:3:14: error PL007: unknown default \"maybe\"; use \"allow\" or \"deny\" (at /default)",
                "check/invalid.json:6:48: error PL016: the path 'amount' must start with 'args', 'caller', 'tool', 'grant' or 'session' (for example 'args.amount') (at /tools/create_refund/deny_if/0/conditions/0/path)",
                "check/invalid.json:6:64: error PL011: unknown op 'greater'; use one of eq, neq, in, not_in, lt, lte, gt, gte, regex, contains, exists, not_exists (at /tools/create_refund/deny_if/0/conditions/0/op)",
                "check/invalid.json:7:7: error PL003: unknown field 'limitz' (did you mean 'limits'?); allowed here: action, reason, schema, require, deny_if, limits (or a name starting with 'x-') (at /tools/create_refund/limitz)",
            ],
            result.Lines);
    }

    [Fact]
    public void Check_SyntaxError_ReportsLineAndColumn()
    {
        var result = CliRunner.Run("check", "check/broken-syntax.json");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Lines);
        Assert.StartsWith("check/broken-syntax.json:4:3: error PL001: ", line, StringComparison.Ordinal);
        Assert.EndsWith("(at /)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MissingFile_ExitsTwoWithFileInError()
    {
        var result = CliRunner.Run("check", "check/does-not-exist.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["check/does-not-exist.json:0:0: error CLI001: the file does not exist; check the path"], result.ErrorLines);
    }

    [Fact]
    public void Check_NoArguments_ExitsTwo()
    {
        var result = CliRunner.Run("check");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("policy", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Json_ListsErrorsAsObjects()
    {
        var result = CliRunner.Run("check", "check/invalid.json", "--json");

        Assert.Equal(2, result.ExitCode);
        using var document = System.Text.Json.JsonDocument.Parse(result.Out);
        var root = document.RootElement;
        Assert.False(root.GetProperty("valid").GetBoolean());
        var errors = root.GetProperty("errors").EnumerateArray().ToArray();
        Assert.Equal(4, errors.Length);
        Assert.Equal("PL007", errors[0].GetProperty("code").GetString());
        Assert.Equal("/default", errors[0].GetProperty("pointer").GetString());
        Assert.Equal(3, errors[0].GetProperty("line").GetInt32());
        Assert.Equal(14, errors[0].GetProperty("column").GetInt32());
    }
}
