using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>
/// Writes a <see cref="JsonElement"/> as System.Text.Json does, except one with a <c>\u</c> escape (which may escape a
/// lone surrogate, which that path throws for): that one is written as its raw text, without decoding its strings.
/// </summary>
internal sealed class RawJsonElementConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonElement.ParseValue(ref reader);

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
    {
        var raw = value.GetRawText();
        if (raw.Contains("\\u", StringComparison.Ordinal))
        {
            writer.WriteRawValue(raw, skipInputValidation: true);
        }
        else
        {
            value.WriteTo(writer);
        }
    }
}
