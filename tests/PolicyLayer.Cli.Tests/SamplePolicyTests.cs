namespace PolicyLayer.Cli.Tests;

/// <summary>Every ready-made policy under samples/policies loads and passes its own tests.</summary>
public class SamplePolicyTests
{
    private static string[] SampleNames() =>
        Directory.GetDirectories(Path.Combine(CliRunner.RepoRoot, "samples", "policies")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public static TheoryData<string> Samples() => new(SampleNames());

    [Fact]
    public void Samples_CoverTheCommonServers()
    {
        Assert.Equal(["agent-sessions", "filesystem", "github", "payments"], SampleNames());
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_Check_Loads(string sample)
    {
        var result = CliRunner.RunIn(CliRunner.RepoRoot, null, "check", $"samples/policies/{sample}/policy.json");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_Test_PassesItsOwnTests(string sample)
    {
        var result = CliRunner.RunIn(CliRunner.RepoRoot, null, "test", $"samples/policies/{sample}/test");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^[1-9]\d* passed, 0 failed$", result.Lines[^1]);
    }
}
