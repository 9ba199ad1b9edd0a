using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("PolicyLayer.JsonSchema.Tests")]
