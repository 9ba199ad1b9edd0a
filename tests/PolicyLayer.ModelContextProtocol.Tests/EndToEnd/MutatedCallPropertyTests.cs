using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using PolicyLayer.Tests.Fuzzing;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// Random <c>tools/call</c> requests through the SDK to a server enforcing <see cref="TestPolicy"/>: listed, hidden,
/// unknown, denied and approval-bound tools, with arguments mutated from valid ones (wrong kinds, extra or missing
/// members, odd numbers and strings). Every request is answered; a call the policy refuses never reaches its tool; a
/// hidden tool answers exactly as an unknown one; and a tool that ran got arguments its schemas accept.
/// </summary>
public sealed class MutatedCallPropertyTests : IAsyncLifetime
{
    private static readonly (string Tool, string Arguments)[] Calls =
    [
        ("echo", """{"text": "hello"}"""),
        ("typed", """{"count": 3}"""),
        ("close_session", """{"sessionId": "s-1"}"""),
        ("create_refund", """{"amount": 50}"""),
        ("wire_money", """{"amount": 5}"""),
        ("drop_database", "{}"),
        ("secret_admin", "{}"),
        ("no_such_tool", """{"a": 1}"""),
    ];

    private static readonly string[] Vocabulary = ["text", "count", "sessionId", "amount", "hello", "100", "-1"];

    private McpTestServer _server = null!;

    public async Task InitializeAsync() => _server = await McpTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Property(MaxTest = 1000)]
    public Property MutatedCalls_AreAnswered_AndRefusedOnesNeverRun() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, Calls.Length - 1)), Arb.From(Gen.Choose(0, int.MaxValue)), (index, seed) =>
        {
            var random = new Random(seed);
            var (tool, valid) = Calls[index];
            var text = random.Next(4) == 0 ? valid : new JsonMutator(random, Vocabulary).Mutate(valid, random.Next(1, 3));
            if (Arguments(text) is not { } arguments)
            {
                return true; // not an object the client can send
            }

            var before = _server.Log.Count(tool);
            CallToolResult result;
            try
            {
                // On the thread pool: FsCheck runs the property synchronously, and the test thread's context must not be
                // the one the SDK's continuations wait for.
                result = Task.Run(() => _server.Client.CallToolAsync(new CallToolRequestParams { Name = tool, Arguments = arguments }).AsTask()).GetAwaiter().GetResult();
            }
            catch (McpProtocolException ex)
            {
                Assert.Equal(before, _server.Log.Count(tool));
                if (tool is "secret_admin" or "no_such_tool")
                {
                    // Hidden answers exactly as unknown.
                    Assert.Equal(McpErrorCode.InvalidParams, ex.ErrorCode);
                    Assert.EndsWith($"Unknown tool: '{tool}'", ex.Message, StringComparison.Ordinal);
                }

                return true;
            }

            var ran = _server.Log.Count(tool) > before;
            var refused = McpTestServer.Text(result) is var answer
                && (answer.StartsWith($"The call to '{tool}' was refused by policy", StringComparison.Ordinal)
                    || answer.StartsWith($"The call to '{tool}' needs a person's approval", StringComparison.Ordinal));
            Assert.False(ran && refused, $"{tool} ran although refused: {McpTestServer.Text(result)}");
            Assert.False(ran && tool is "wire_money" or "drop_database" or "secret_admin", $"{tool} ran");
            if (ran && tool == "create_refund")
            {
                // The policy's schema: a number at most 100.
                Assert.True(arguments.TryGetValue("amount", out var amount) && amount.ValueKind == JsonValueKind.Number && amount.GetDecimal() <= 100, text);
            }

            if (ran && tool == "typed")
            {
                // The tool's declared input schema: an integer count.
                Assert.True(arguments.TryGetValue("count", out var count) && count.ValueKind == JsonValueKind.Number, text);
            }

            Assert.InRange(_server.Log.Count("close_session"), 0, 30); // 30 a minute per grant, and the clock stands still
            return true;
        });

    private static Dictionary<string, JsonElement>? Arguments(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var arguments = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // The client writes each value as text: one it cannot write (a lone surrogate) is not sent.
                _ = property.Value.GetRawText();
                JsonSerializer.Serialize(property.Value);
                arguments[property.Name] = property.Value.Clone();
            }

            return arguments;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
