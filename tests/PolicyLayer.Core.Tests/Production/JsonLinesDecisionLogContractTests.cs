using System.Text.Json;
using PolicyLayer.Auditing;
using PolicyLayer.Tests.Auditing;

namespace PolicyLayer.Tests.Production;

/// <summary>The decision sink contract against the JSON Lines log, read back from its file.</summary>
public sealed class JsonLinesDecisionLogContractTests : DecisionSinkContractTests, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policylayer-tests", Guid.NewGuid().ToString("N"));
    private JsonLinesDecisionLog? _log;

    private string FilePath => Path.Combine(_folder, "decisions.jsonl");

    public void Dispose()
    {
        _log?.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    protected override IDecisionSink CreateSink() => _log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = FilePath });

    protected override IReadOnlyList<WrittenRecord> ReadWritten()
    {
        // The log keeps the file open for appending; read it beside the writer.
        using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file);
        var records = new List<WrittenRecord>();
        while (reader.ReadLine() is { } line)
        {
            using var document = JsonDocument.Parse(line);
            records.Add(Read(document.RootElement));
        }

        return records;
    }

    private static WrittenRecord Read(JsonElement line)
    {
        var keys = line.GetProperty("arg_keys").EnumerateArray().Select(key => key.GetString()).ToArray();
        var shadow = line.TryGetProperty("shadow", out var s) ? s : (JsonElement?)null;
        return new(Text(line, "tool")!, Text(line, "outcome")!, Text(line, "rule")!, Text(line, "revision")!, Text(line, "message"))
        {
            Grant = Text(line, "grant"),
            Session = Text(line, "session"),
            ApprovalId = Text(line, "approval_id"),
            ArgumentKeys = string.Join(",", keys),

            // Written only when it differs from the number of keys kept.
            ArgumentCount = line.TryGetProperty("arg_count", out var count) ? count.GetInt32() : keys.Length,
            RetryAfterSeconds = line.TryGetProperty("retry_after_s", out var retry) ? retry.GetDouble() : null,
            ShadowOutcome = shadow is { } o ? Text(o, "outcome") : null,
            ShadowRule = shadow is { } r ? Text(r, "rule") : null,
            ShadowAgrees = shadow?.GetProperty("agrees").GetBoolean(),
        };
    }

    private static string? Text(JsonElement line, string field) => line.TryGetProperty(field, out var value) ? value.GetString() : null;
}
