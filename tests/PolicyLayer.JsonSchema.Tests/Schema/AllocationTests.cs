using System.Text.Json;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

public class AllocationTests
{
    private const string Schema = """
        {
          "type": "object", "required": ["amount", "currency", "lines"], "additionalProperties": false,
          "properties": {
            "amount": { "type": "number", "minimum": 0, "maximum": 10000, "multipleOf": 0.01 },
            "currency": { "enum": ["EUR", "USD"] },
            "reference": { "type": "string", "pattern": "^[A-Z]{3}-[0-9]{4,}$", "maxLength": 32 },
            "lines": { "type": "array", "minItems": 1, "items": { "type": "object", "required": ["sku"], "properties": { "sku": { "type": "string" }, "qty": { "type": "integer", "minimum": 1 } } } }
          }
        }
        """;

    private const string Instance = """{"amount": 12.5, "currency": "EUR", "reference": "ABC-12345", "lines": [{"sku": "a", "qty": 2}, {"sku": "b"}]}""";

    [Fact]
    public void IsValid_ValidInstance_AllocatesNothing()
    {
        var schema = Compile(Schema);
        var instance = Parse(Instance);
        var arguments = instance.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        Assert.True(schema.IsValid(instance)); // warm up
        Assert.True(schema.IsValid(new JsonProperties(arguments)));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            schema.IsValid(instance);
            schema.IsValid(new JsonProperties(arguments));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
