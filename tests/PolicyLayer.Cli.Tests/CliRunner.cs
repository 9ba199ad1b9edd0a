using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace PolicyLayer.Cli.Tests;

/// <summary>What one run of the command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>Standard output's lines, without the final empty one.</summary>
    public string[] Lines => Out.Split('\n', StringSplitOptions.None) is var lines && lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : Out.Split('\n');

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Standard output parsed as JSON Lines.</summary>
    public JsonElement[] JsonLines => Lines.Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Error}";
}

/// <summary>Runs the built <c>policylayer</c> (PolicyLayer.Cli.dll) as a process, in the test data folder.</summary>
public static class CliRunner
{
    public static string CliPath { get; } = Metadata("CliPath");

    public static string RepoRoot { get; } = Metadata("RepoRoot");

    /// <summary>The test data folder in the source tree (the tests read it in place; nothing is copied).</summary>
    public static string TestData { get; } = Path.Combine(RepoRoot, "tests", "PolicyLayer.Cli.Tests", "TestData");

    public static CliResult Run(params string[] args) => RunIn(TestData, null, args);

    public static CliResult RunIn(string workingDirectory, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(CliPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        // Read while writing: a large input's output must not fill the pipe and block both sides.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"policylayer {string.Join(' ', args)} did not finish");
        }

        return new CliResult(process.ExitCode, output.Result, error.Result);
    }

    private static string Metadata(string key) =>
        typeof(CliRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
