using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using PolicyLayer.Approvals;

namespace PolicyLayer.Redis.Approvals;

/// <summary>
/// An <see cref="ApprovalRequest"/> as the JSON object the approval script reads and rewrites (with Lua's cjson).
/// </summary>
/// <remarks>
/// Times are UTC ticks as 19 digits (<c>created</c>, <c>expires</c>, <c>decidedAt</c>, <c>removeAt</c>): cjson's
/// numbers are doubles, which would round them, and equal-length digit strings compare exactly in the script.
/// <c>removeAt</c> is when the store may remove the request; <c>expiresMs</c> is the expiry in whole milliseconds,
/// the unit of the sorted set of removal times. Absent optional fields are left out.
/// </remarks>
internal static class ApprovalJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Arguments are JSON text inside a JSON string: keep non-ASCII characters as they are rather than six bytes each.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The request as JSON (UTF-8).</summary>
    /// <param name="request">The request.</param>
    /// <param name="removeAt">When the store may remove it.</param>
    public static byte[] Write(ApprovalRequest request, DateTimeOffset removeAt)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (request.Arguments.Length * 2));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", request.Id);
            writer.WriteString("key", request.Key);
            writer.WriteString("tool", request.Tool);
            writer.WriteString("grant", request.Grant);
            writer.WriteString("arguments", request.Arguments);
            writer.WriteString("reason", request.Reason);
            writer.WriteString("created", Ticks(request.CreatedAt));
            writer.WriteString("expires", Ticks(request.ExpiresAt));
            writer.WriteString("expiresMs", Milliseconds(request.ExpiresAt));
            writer.WriteString("removeAt", Ticks(removeAt));
            writer.WriteString("state", request.State.ToString());
            if (request.DecidedBy is { } decidedBy)
            {
                writer.WriteString("decidedBy", decidedBy);
            }

            if (request.DecidedAt is { } decidedAt)
            {
                writer.WriteString("decidedAt", Ticks(decidedAt));
            }

            if (request.DenialReason is { } denialReason)
            {
                writer.WriteString("denialReason", denialReason);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a request that <see cref="Write"/> (or the script) wrote.</summary>
    /// <exception cref="FormatException">The text is not such a request.</exception>
    public static ApprovalRequest Read(ReadOnlySpan<byte> json)
    {
        string? id = null, key = null, tool = null, grant = null, arguments = null, reason = null;
        string? created = null, expires = null, state = null, decidedBy = null, decidedAt = null, denialReason = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                Expect(reader.Read());
                string? value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
                switch (name)
                {
                    case "id": id = value; break;
                    case "key": key = value; break;
                    case "tool": tool = value; break;
                    case "grant": grant = value; break;
                    case "arguments": arguments = value; break;
                    case "reason": reason = value; break;
                    case "created": created = value; break;
                    case "expires": expires = value; break;
                    case "state": state = value; break;
                    case "decidedBy": decidedBy = value; break;
                    case "decidedAt": decidedAt = value; break;
                    case "denialReason": denialReason = value; break;
                    default: break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new FormatException("The approval store holds a request that is not valid JSON: " + ex.Message, ex);
        }

        if (id is null || key is null || tool is null || grant is null || arguments is null || reason is null || created is null || expires is null
            || !Enum.TryParse(state, ignoreCase: false, out ApprovalState parsedState))
        {
            throw new FormatException("The approval store holds a request with a missing or invalid field.");
        }

        return new ApprovalRequest(id, key, tool, grant, arguments, reason, Time(created), Time(expires))
        {
            State = parsedState,
            DecidedBy = decidedBy,
            DecidedAt = decidedAt is null ? null : Time(decidedAt),
            DenialReason = denialReason,
        };
    }

    /// <summary>UTC ticks as 19 digits, the form the script compares.</summary>
    public static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>Whole milliseconds since 0001-01-01 (below 2^53, so exact as a sorted set score).</summary>
    public static string Milliseconds(DateTimeOffset time) => (time.UtcTicks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string ticks) =>
        long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value >= DateTimeOffset.MinValue.UtcTicks && value <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(value, TimeSpan.Zero)
            : throw new FormatException($"The approval store holds a request with an invalid time \"{ticks}\".");

    private static void Expect(bool condition)
    {
        if (!condition)
        {
            throw new FormatException("The approval store holds a request that is not a JSON object.");
        }
    }
}
