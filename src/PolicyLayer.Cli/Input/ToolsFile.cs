using System.Text.Json;

namespace PolicyLayer.Cli.Input;

/// <summary>One tool of a server's saved <c>tools/list</c> result.</summary>
internal sealed record ToolInfo(string Name, JsonElement? InputSchema, string? Description, bool? ReadOnlyHint, bool? DestructiveHint, bool? IdempotentHint);

/// <summary>Reads a saved <c>tools/list</c> result: <c>{ "tools": [ { "name", "inputSchema", "annotations"? } ] }</c>.</summary>
internal static class ToolsFile
{
    public static IReadOnlyList<ToolInfo> Load(string path)
    {
        var text = InputFiles.ReadText(path);
        using var document = InputFiles.ParseJson(path, text);
        var root = document.RootElement;

        // Accept a whole JSON-RPC response too: { "result": { "tools": [...] } }.
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object)
        {
            root = result;
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
        {
            throw new InputException(CliErrors.Format(path, 1, 1, CliErrors.BadFile, "expected a tools/list result: { \"tools\": [ { \"name\": \"...\", \"inputSchema\": { ... } } ] }", "/tools"));
        }

        var list = new List<ToolInfo>();
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new InputException(CliErrors.Format(path, 1, 1, CliErrors.BadFile, "every tool needs a string 'name'", $"/tools/{index}"));
            }

            // A server's tools have distinct names (a call names one); a list that repeats one cannot be linted or scaffolded.
            var toolName = name.GetString()!;
            if (!indexes.TryAdd(toolName, index))
            {
                throw new InputException(CliErrors.Format(path, 1, 1, CliErrors.BadFile, $"the tool '{toolName}' is listed twice (/tools/{indexes[toolName]} and /tools/{index}); a server's tools have distinct names", $"/tools/{index}/name"));
            }

            JsonElement? schema = tool.TryGetProperty("inputSchema", out var s) && s.ValueKind == JsonValueKind.Object ? s.Clone() : null;
            var description = tool.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            bool? Hint(string hint) =>
                tool.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object && a.TryGetProperty(hint, out var h) && h.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? h.GetBoolean()
                    : null;
            list.Add(new ToolInfo(toolName, schema, description, Hint("readOnlyHint"), Hint("destructiveHint"), Hint("idempotentHint")));
            index++;
        }

        return list;
    }
}
