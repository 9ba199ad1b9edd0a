using System.CommandLine;
using PolicyLayer.Cli.Input;

namespace PolicyLayer.Cli.Commands;

/// <summary>Options and plumbing every command shares.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Write machine-readable JSON instead of text." };

    public static Argument<string> PolicyArgument(string name = "policy") =>
        new(name) { Description = "The policy file (policy.json)." };

    /// <summary>Runs a command body; invalid input it throws becomes its lines on stderr and exit code 2.</summary>
    public static async Task<int> RunAsync(CliConsole console, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (InputException ex)
        {
            foreach (var line in ex.Lines)
            {
                await console.Error.WriteLineAsync(line).ConfigureAwait(false);
            }

            return ExitCodes.InvalidInput;
        }
    }

    public static int Run(CliConsole console, Func<int> body) =>
        RunAsync(console, () => Task.FromResult(body())).GetAwaiter().GetResult();
}
