using System.CommandLine;
using PolicyLayer.Cli.Commands;

namespace PolicyLayer.Cli;

/// <summary>The <c>policylayer</c> command tree and its invocation.</summary>
internal static class CliApp
{
    public static RootCommand CreateRootCommand(CliConsole console)
    {
        var root = new RootCommand("Check, test and replay PolicyLayer policies (policy.json) before they guard a live MCP server.")
        {
            CheckCommand.Create(console),
            ReplayCommand.Create(console),
            EvalCommand.Create(console),
            ExplainCommand.Create(console),
            DiffCommand.Create(console),
            ScaffoldCommand.Create(console),
            TestCommand.Create(console),
            SchemaCommand.Create(console),
        };
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var root = CreateRootCommand(console);
        var parse = root.Parse(args);

        // Bad arguments are invalid input (exit 2), not findings; help and version still run as usual.
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine($"error: {error.Message}");
            }

            console.Error.Flush();

            console.Error.WriteLine($"Run 'policylayer {parse.CommandResult.Command.Name} --help' for usage.".Replace("policylayer policylayer", "policylayer", StringComparison.Ordinal));
            return ExitCodes.InvalidInput;
        }

        var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error };
        try
        {
            return await parse.InvokeAsync(configuration).ConfigureAwait(false);
        }
        finally
        {
            await console.Out.FlushAsync().ConfigureAwait(false);
            await console.Error.FlushAsync().ConfigureAwait(false);
        }
    }
}
