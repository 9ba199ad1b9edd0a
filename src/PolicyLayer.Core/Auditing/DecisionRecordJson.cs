using System.Text.Json;
using PolicyLayer.Diagnostics;

namespace PolicyLayer.Auditing;

/// <summary>Writes a <see cref="DecisionRecord"/> as one JSON object (the JSON Lines log's line; see docs/production.md).</summary>
public static class DecisionRecordJson
{
    /// <summary>Writes the record as a JSON object.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="record">The record.</param>
    public static void Write(Utf8JsonWriter writer, DecisionRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(record);
        writer.WriteStartObject();
        writer.WriteString("time", record.Timestamp);
        writer.WriteString("tool", record.Tool);
        WriteOptional(writer, "grant", record.Grant);
        WriteOptional(writer, "session", record.Session);
        writer.WriteString("outcome", PolicyLayerTelemetry.OutcomeText(record.Outcome));
        writer.WriteBoolean("enforced", record.Enforced);
        writer.WriteString("rule", record.Rule);
        writer.WriteString("message", record.Message);
        writer.WriteString("revision", record.PolicyRevision);
        writer.WriteNumber("duration_ms", Math.Round(record.Duration.TotalMilliseconds, 4));
        if (record.RetryAfter is { } retryAfter)
        {
            writer.WriteNumber("retry_after_s", Math.Round(retryAfter.TotalSeconds, 3));
        }

        WriteOptional(writer, "approval_id", record.ApprovalId);
        writer.WriteStartArray("arg_keys");
        foreach (var key in record.ArgumentKeys)
        {
            writer.WriteStringValue(key);
        }

        writer.WriteEndArray();
        if (record.ArgumentCount != record.ArgumentKeys.Count)
        {
            writer.WriteNumber("arg_count", record.ArgumentCount);
        }

        WriteOptional(writer, "args_hmac_sha256", record.ArgumentsHash);
        if (record.Shadow is { } shadow)
        {
            writer.WriteStartObject("shadow");
            writer.WriteString("outcome", PolicyLayerTelemetry.OutcomeText(shadow.Outcome));
            writer.WriteString("rule", shadow.Rule);
            writer.WriteString("message", shadow.Message);
            writer.WriteString("revision", shadow.PolicyRevision);
            writer.WriteBoolean("agrees", shadow.Agrees);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
