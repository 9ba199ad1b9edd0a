using System.CommandLine;

namespace PolicyLayer.Cli.Commands;

/// <summary><c>policylayer schema</c>: the JSON Schema (draft 2020-12) of policy.json, as shipped in schema/policy.schema.json.</summary>
internal static class SchemaCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("schema", "Print the JSON Schema (draft 2020-12) of the policy language.") { CommonOptions.Json() };
        command.SetAction(_ =>
        {
            console.Out.Write(Text);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The schema, embedded from schema/policy.schema.json.</summary>
    public static string Text { get; } = Read();

    private static string Read()
    {
        using var stream = typeof(SchemaCommand).Assembly.GetManifestResourceStream("policy.schema.json")
            ?? throw new InvalidOperationException("The policy schema is not embedded in the tool; rebuild it.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
