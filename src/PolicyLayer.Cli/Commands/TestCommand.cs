using System.CommandLine;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Output;
using PolicyLayer.Cli.Testing;

namespace PolicyLayer.Cli.Commands;

/// <summary><c>policylayer test DIR</c>: runs every <c>*.test.json</c> under a folder; exit 1 when any test fails.</summary>
internal static class TestCommand
{
    public static Command Create(CliConsole console)
    {
        var directory = new Argument<string>("dir") { Description = "A folder searched (with its subfolders) for *.test.json files, or one test file." };
        var json = CommonOptions.Json();
        var command = new Command("test", "Run policy unit tests (*.test.json) and report like a test runner.") { directory, json };
        command.SetAction(parse => CommonOptions.RunAsync(console, () => RunAsync(console, parse.GetValue(directory)!, parse.GetValue(json))));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string path, bool json)
    {
        var files = FindFiles(path);

        // Every file is read before any test runs, so all of their errors are reported together.
        var loaded = new List<PolicyTestFile>();
        var errors = new List<string>();
        foreach (var file in files)
        {
            try
            {
                loaded.Add(PolicyTestFile.Load(file));
            }
            catch (InputException ex)
            {
                errors.AddRange(ex.Lines);
            }
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var results = new List<PolicyTestResult>();
        foreach (var file in loaded)
        {
            var fileResults = await PolicyTestRunner.RunAsync(file).ConfigureAwait(false);
            results.AddRange(fileResults);
            if (!json)
            {
                await console.Out.WriteLineAsync(file.Path).ConfigureAwait(false);
                foreach (var result in fileResults)
                {
                    await console.Out.WriteLineAsync(result.Passed
                        ? $"  {console.Green("pass")} {result.Test.Name}"
                        : $"  {console.Red("FAIL")} {result.Test.Name} ({file.Path}:{result.Test.Line}): {result.Failure}").ConfigureAwait(false);
                }
            }
        }

        var passed = results.Count(r => r.Passed);
        var failed = results.Count - passed;
        if (json)
        {
            await console.Out.WriteLineAsync(JsonText.Document(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("passed", passed);
                w.WriteNumber("failed", failed);
                w.WriteStartArray("tests");
                foreach (var result in results)
                {
                    w.WriteStartObject();
                    w.WriteString("file", result.File.Path);
                    w.WriteNumber("line", result.Test.Line);
                    w.WriteString("name", result.Test.Name);
                    w.WriteBoolean("passed", result.Passed);
                    if (result.Failure is { } failure)
                    {
                        w.WriteString("failure", failure);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            })).ConfigureAwait(false);
        }
        else
        {
            await console.Out.WriteLineAsync($"{passed} passed, {failed} failed").ConfigureAwait(false);
        }

        return failed > 0 ? ExitCodes.Findings : ExitCodes.Ok;
    }

    private static string[] FindFiles(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (!Directory.Exists(path))
        {
            throw new InputException(CliErrors.Format(path, 0, 0, CliErrors.Unreadable, "no such file or folder"));
        }

        var files = Directory.GetFiles(path, "*.test.json", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
        {
            throw new InputException(CliErrors.Format(path, 0, 0, CliErrors.BadFile, "the folder has no *.test.json files"));
        }

        return files;
    }
}
