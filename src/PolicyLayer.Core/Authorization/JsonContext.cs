using System.Text.Json.Serialization;

namespace PolicyLayer.Authorization;

/// <summary>Source-generated serialization for the few values the library serializes itself.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class JsonContext : JsonSerializerContext
{
}
