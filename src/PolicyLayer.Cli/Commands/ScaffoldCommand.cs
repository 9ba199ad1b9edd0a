using System.CommandLine;
using System.Text.Json;
using PolicyLayer.Cli.Input;
using PolicyLayer.Cli.Output;

namespace PolicyLayer.Cli.Commands;

/// <summary>
/// <c>policylayer scaffold --tools tools.json</c>: a starting policy from a server's tools and their MCP
/// annotations, each choice explained in an <c>x-note</c>. The output loads with <c>check</c>.
/// </summary>
/// <remarks>
/// MCP's defaults apply to missing annotations: a tool is not read-only and, if not read-only, destructive;
/// so a tool without annotations is put behind approval rather than allowed.
/// </remarks>
internal static class ScaffoldCommand
{
    public static Command Create(CliConsole console)
    {
        var tools = new Option<string>("--tools") { Description = "A saved tools/list result.", Required = true };
        var deny = new Option<bool>("--deny-destructive") { Description = "Deny destructive tools instead of requiring approval." };
        var command = new Command("scaffold", "Write a starting policy for a server's tools (from a saved tools/list result).") { tools, deny };
        command.SetAction(parse => CommonOptions.Run(console, () =>
        {
            var list = ToolsFile.Load(parse.GetValue(tools)!);
            console.Out.WriteLine(JsonText.Document(w => Write(w, list, parse.GetValue(deny))));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Write(Utf8JsonWriter w, IReadOnlyList<ToolInfo> tools, bool denyDestructive)
    {
        w.WriteStartObject();
        w.WriteString("version", "1");
        w.WriteString("default", "deny");
        w.WriteString("x-note", "Generated from the server's tools/list. Unknown tools are denied; review every rule before use.");
        w.WriteStartObject("tools");
        foreach (var tool in tools.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            w.WriteStartObject(tool.Name);
            var readOnly = tool.ReadOnlyHint ?? false;
            var destructive = !readOnly && (tool.DestructiveHint ?? true);
            if (readOnly)
            {
                w.WriteString("x-note", "readOnlyHint: true, so allowed.");
            }
            else if (destructive)
            {
                var why = tool.DestructiveHint is null ? "no destructiveHint (MCP assumes destructive)" : "destructiveHint: true";
                if (denyDestructive)
                {
                    w.WriteString("x-note", $"{why}, so denied.");
                    w.WriteString("action", "deny");
                    w.WriteString("reason", $"'{tool.Name}' can destroy data and may not be called by an agent.");
                }
                else
                {
                    w.WriteString("x-note", $"{why}, so a person approves each call.");
                    w.WriteString("action", "require_approval");
                    w.WriteString("reason", $"'{tool.Name}' can destroy data; a person approves each call.");
                }
            }
            else
            {
                w.WriteString("x-note", "Writes but is not destructive (destructiveHint: false), so rate-limited to 30 calls a minute per grant.");
                w.WriteStartArray("limits");
                w.WriteStartObject();
                w.WriteString("counter", $"{tool.Name}_rate");
                w.WriteString("window", "minute");
                w.WriteNumber("max", 30);
                w.WriteString("scope", "grant");
                w.WriteEndObject();
                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
