using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PolicyLayer.Cli.Output;

/// <summary>Writes JSON text for the machine-readable outputs: one object per line, or one indented document.</summary>
internal static class JsonText
{
    // Relaxed escaping keeps messages readable (quotes, apostrophes, non-ASCII); the output is never embedded in HTML.
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };
    private static readonly JsonWriterOptions DocumentOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public static string Line(Action<Utf8JsonWriter> write) => Write(write, LineOptions);

    public static string Document(Action<Utf8JsonWriter> write) => Write(write, DocumentOptions);

    private static string Write(Action<Utf8JsonWriter> write, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
