namespace PolicyLayer.ModelContextProtocol.Tests;

internal static class TestPolicy
{
    public const string Json = """
        {
          "version": "1",
          "default": "deny",
          "hide": ["secret_admin"],
          "tools": {
            "echo": {},
            "typed": {},
            "close_session": {
              "limits": [ { "counter": "close_session_rate", "window": "minute", "max": 30, "scope": "grant" } ]
            },
            "flaky": {
              "limits": [ { "counter": "flaky_budget", "window": "hour", "max": 1, "scope": "grant" } ]
            },
            "create_refund": {
              "schema": { "type": "object", "required": ["amount"], "properties": { "amount": { "type": "number", "maximum": 100 } } }
            },
            "wire_money": { "action": "require_approval", "reason": "Payments need a person's approval." },
            "drop_database": { "action": "deny", "reason": "Never from an agent." },
            "per_session": {
              "limits": [ { "counter": "per_session_rate", "window": "minute", "max": 2, "scope": "session" } ]
            }
          }
        }
        """;
}
