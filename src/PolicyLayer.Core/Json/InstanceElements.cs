using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>Turns an instance into one <see cref="JsonElement"/>; a dictionary root is serialized (rare: const or enum on the root object, or a condition on the bare <c>args</c> path).</summary>
internal static class InstanceElements
{
    public static JsonElement Of(in JsonProperties instance)
    {
        if (instance.TryGetElement(out var element))
        {
            return element;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in instance)
            {
                writer.WritePropertyName(property.Name);
                property.Value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 1024 });
        return document.RootElement.Clone();
    }
}
