using System.Text.Json;

namespace PolicyLayer.Benchmarks.Schema;

/// <summary>A typical MCP tool input schema and arguments: the shared inputs of the schema benchmarks.</summary>
internal static class ToolArguments
{
    public const string Schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "additionalProperties": false,
          "required": ["customer_id", "amount", "currency", "reason", "lines"],
          "properties": {
            "customer_id": { "type": "string", "pattern": "^cus_[A-Za-z0-9]{8,24}$" },
            "amount": { "type": "number", "exclusiveMinimum": 0, "maximum": 10000 },
            "currency": { "type": "string", "enum": ["EUR", "USD", "GBP", "JPY"] },
            "reason": { "type": "string", "enum": ["duplicate", "fraudulent", "requested_by_customer"] },
            "note": { "type": "string", "maxLength": 500 },
            "notify": { "type": "boolean" },
            "priority": { "type": "integer", "minimum": 1, "maximum": 5 },
            "order_id": { "type": "string", "minLength": 1, "maxLength": 64 },
            "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 10 },
            "lines": {
              "type": "array",
              "minItems": 1,
              "maxItems": 50,
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["sku", "quantity", "unit_price"],
                "properties": {
                  "sku": { "type": "string", "minLength": 1 },
                  "quantity": { "type": "integer", "minimum": 1 },
                  "unit_price": { "type": "number", "minimum": 0 }
                }
              }
            }
          }
        }
        """;

    public const string Valid = """
        {
          "customer_id": "cus_Q8f3kLm29xPz",
          "amount": 129.95,
          "currency": "EUR",
          "reason": "requested_by_customer",
          "note": "Customer returned the parcel unopened.",
          "notify": true,
          "priority": 2,
          "order_id": "ord_20240611_0042",
          "tags": ["return", "eu"],
          "lines": [
            { "sku": "TSHIRT-M-BLUE", "quantity": 2, "unit_price": 24.99 },
            { "sku": "HOODIE-L-GREY", "quantity": 1, "unit_price": 79.97 }
          ]
        }
        """;

    // Four problems: a pattern, an enum, a maximum and an additional property inside the nested array.
    public const string Invalid = """
        {
          "customer_id": "customer-42",
          "amount": 25000,
          "currency": "CHF",
          "reason": "requested_by_customer",
          "notify": true,
          "lines": [
            { "sku": "TSHIRT-M-BLUE", "quantity": 2, "unit_price": 24.99, "discount": 5 }
          ]
        }
        """;

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static Dictionary<string, JsonElement> AsDictionary(string json) =>
        Parse(json).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
}
