using System.Buffers;
using System.Text;
using System.Text.Json;
using PolicyLayer.Auditing;

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

        // Written as text rather than through Utf8JsonWriter, which refuses a name or a string with a lone surrogate
        // (valid JSON a caller may send): each value is copied as its raw JSON, each name escaped losslessly.
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("{"u8);
        var first = true;
        foreach (var property in instance)
        {
            if (!first)
            {
                buffer.Write(","u8);
            }

            first = false;
            buffer.Write(Encoding.UTF8.GetBytes(CanonicalArguments.StringText(property.Name)));
            buffer.Write(":"u8);
            buffer.Write(JsonRaw.Utf8(property.Value));
        }

        buffer.Write("}"u8);
        using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 1024 });
        return document.RootElement.Clone();
    }
}
