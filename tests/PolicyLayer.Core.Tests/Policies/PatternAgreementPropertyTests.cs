using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;
using PolicyLayer.Schema;

namespace PolicyLayer.Tests.Policies;

/// <summary>
/// Random patterns built from ECMA-262 pieces (classes, escapes, quantifiers, groups, anchors, Unicode escapes and
/// characters beyond U+FFFF) mean the same as a schema's <c>pattern</c> and as a condition's <c>regex</c>, as the
/// README promises: on random strings, the schema accepts exactly what the condition matches. Either side may refuse
/// a pattern (a condition refuses what linear-time matching cannot run), but neither throws, and a refused condition
/// says so with PL013. <c>\b</c> and a leading <c>(?i)</c> are left out: they are the documented differences.
/// </summary>
public sealed class PatternAgreementPropertyTests
{
    private static readonly string[] Pieces =
    [
        "a", "b", "é", "😀", " ", ".", "*", "+", "?", "*?", "{2}", "{1,3}", "{2,}", "(", ")", "(?:", "|", "^", "$",
        "[", "]", "[^", "-", "a-z", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\.", "\\-", "\\]", "\\\\", "\\n", "\\t",
        "\\u00e9", "\\u{1F600}", "\\x41", "\\p{L}", "\\P{Lu}", "\\p{Nd}", "(?<n>", "\\k<n>", "\\1", "(?=", "(?!", "[\\d_]", "[\\s\\S]",
    ];

    private static readonly string Letters = "aAbé😀1 _-.\n\t\u00a0\u2028Z";

    [Property(MaxTest = 3000)]
    public Property Pattern_MeansTheSameInASchemaAndInACondition() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var pattern = new StringBuilder();
            for (var i = random.Next(1, 9); i > 0; i--)
            {
                pattern.Append(Pieces[random.Next(Pieces.Length)]);
            }

            var schemaCompiled = JsonSchema.TryCompile(
                JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "string", ["pattern"] = pattern.ToString() }), null, out var schema, out var schemaErrors);
            Assert.True(schemaCompiled || schemaErrors.Count > 0);

            var policy = Policy.Load(new JsonObject
            {
                ["version"] = "1",
                ["default"] = "deny",
                ["tools"] = new JsonObject
                {
                    ["t"] = new JsonObject
                    {
                        ["deny_if"] = new JsonArray(new JsonObject
                        {
                            ["conditions"] = new JsonArray(new JsonObject { ["path"] = "args.s", ["op"] = "regex", ["value"] = pattern.ToString() }),
                        }),
                    },
                },
            }.ToJsonString());
            if (policy.Policy is null)
            {
                Assert.All(policy.Errors, e => Assert.Equal(PolicyErrorCodes.InvalidRegex, e.Code));
                return true;
            }

            if (!schemaCompiled)
            {
                return true;
            }

            var authorizer = new PolicyAuthorizer(policy.Policy, new InMemoryCounterStore());
            for (var k = 0; k < 12; k++)
            {
                var subject = new StringBuilder();
                for (var i = random.Next(0, 8); i > 0; i--)
                {
                    subject.Append(Letters[random.Next(Letters.Length)]);
                }

                // 😀 is two UTF-16 units: Letters holds both, so a random pick may leave a lone one, which the writer turns into U+FFFD.
                var text = subject.ToString();
                var arguments = new JsonObject { ["s"] = text }.ToJsonString();
                var element = JsonDocument.Parse(arguments).RootElement;
                var accepted = schema!.IsValid(element.GetProperty("s"));
                var decision = authorizer.AuthorizeAsync(new ToolCall("t", element)).AsTask().GetAwaiter().GetResult();
                Assert.True(accepted == (decision.Rule == "/tools/t/deny_if/0"), $"pattern {JsonSerializer.Serialize(pattern.ToString())} on {JsonSerializer.Serialize(text)}: the schema {(accepted ? "accepts" : "refuses")} it, the condition {(decision.IsAllowed ? "does not match" : "matches")} ({decision.Message})");
            }

            return true;
        });
}
