using System.Text;
using FsCheck.Xunit;
using PolicyLayer.Schema.Keywords;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

public class NameTableTests
{
    [Property]
    public bool Find_EveryNameByTextAndUtf8_AndNothingElse(string[] names, string probe)
    {
        var distinct = names.Where(n => n is not null).Distinct(StringComparer.Ordinal).ToArray();
        var table = new NameTable(distinct);
        for (var i = 0; i < distinct.Length; i++)
        {
            if (table.Find(distinct[i].AsSpan()) != i || table.Find(Encoding.UTF8.GetBytes(distinct[i])) != i)
            {
                return false;
            }
        }

        return probe is null || distinct.Contains(probe, StringComparer.Ordinal) || table.Find(probe.AsSpan()) == -1;
    }

    [Property]
    public bool Find_WithAnyExpectedIndex_AnswersAsThePlainLookup(string[] names, string probe, int expected)
    {
        var distinct = names.Where(n => n is not null).Distinct(StringComparer.Ordinal).ToArray();
        var table = new NameTable(distinct);
        var guess = distinct.Length == 0 ? -1 : Math.Abs(expected % (distinct.Length + 1)) - 1;
        var utf8 = Encoding.UTF8.GetBytes(probe ?? string.Empty);
        return table.Find(utf8, guess) == table.Find(utf8)
            && distinct.Select((n, i) => table.Find(Encoding.UTF8.GetBytes(n), guess) == i).All(found => found);
    }

    [Theory]
    [InlineData("""{"b": 1, "a": "x", "c": true}""", true)]   // declared order
    [InlineData("""{"c": true, "b": 1, "a": "x"}""", true)]   // reversed
    [InlineData("""{"a": "x", "z": 0, "b": 1}""", false)]     // an undeclared name between declared ones
    [InlineData("""{"a": "x", "b": "1"}""", false)]           // the predicted name with a wrong value
    [InlineData("""{"a": "x"}""", false)]                     // a required name missing
    public void Properties_AnyOrderOfNames_IsValidAgreesWithValidate(string instance, bool expected)
    {
        var schema = Compile("""{"properties": {"b": {"type": "integer"}, "a": {"type": "string"}, "c": {"type": "boolean"}}, "required": ["a", "b"], "additionalProperties": false}""");
        Assert.Equal(expected, schema.IsValid(Parse(instance)));
        Assert.Equal(expected, schema.Validate(Parse(instance)).Count == 0);
    }

    [Fact]
    public void Properties_EscapedInstanceName_MatchesTheDeclaredName()
    {
        var schema = Compile("""{"properties": {"amount": {"type": "number"}}, "required": ["amount"], "additionalProperties": false}""");
        Assert.True(schema.IsValid(Parse("""{"\u0061mount": 5}""")));
        Assert.False(schema.IsValid(Parse("""{"\u0061mount": "5"}""")));
        Assert.Empty(schema.Validate(Parse("""{"\u0061mount": 5}""")));
    }

    [Fact]
    public void Properties_DeclaredNameWithBackslash_IsNotMatchedByAnEscape()
    {
        // The declared name is the six characters a\u0062; the instance name "a\u0062" is "ab".
        var schema = Compile("""{"properties": {"a\\u0062": {"type": "string"}}, "additionalProperties": false}""");
        Assert.False(schema.IsValid(Parse("""{"a\u0062": "x"}""")));
        Assert.True(schema.IsValid(Parse("""{"a\\u0062": "x"}""")));
    }

    [Fact]
    public void Required_MoreThan64Names_AreAllChecked()
    {
        var names = Enumerable.Range(0, 70).Select(i => $"p{i}").ToArray();
        var schema = Compile($$"""{"required": [{{string.Join(", ", names.Select(n => $"\"{n}\""))}}]}""");
        var all = "{" + string.Join(", ", names.Select(n => $"\"{n}\": 1")) + "}";
        var missingLast = "{" + string.Join(", ", names[..^1].Select(n => $"\"{n}\": 1")) + "}";
        Assert.True(schema.IsValid(Parse(all)));
        Assert.False(schema.IsValid(Parse(missingLast)));
        Assert.Equal("/: missing required property 'p69'", Assert.Single(schema.Validate(Parse(missingLast))).Message);
    }

    [Fact]
    public void Enum_EscapedString_MatchesItsText()
    {
        var schema = Compile("""{"enum": ["EUR", "USD", 1]}""");
        Assert.True(schema.IsValid(Parse("\"\\u0045UR\"")));
        Assert.True(schema.IsValid(Parse("1.0")));
        Assert.False(schema.IsValid(Parse("\"GBP\"")));
    }

    [Property]
    public bool FindProperty_AnyNameWrittenEscapedOrNot_AnswersAsTheTextLookup(string[] names, string probe, bool escapeAll)
    {
        // JSON text cannot hold a lone surrogate, escaped or not.
        var distinct = names.Where(n => n is not null && !n.Any(char.IsSurrogate)).Distinct(StringComparer.Ordinal).ToArray();
        var table = new NameTable(distinct);
        foreach (var name in distinct.Append(probe is null || probe.Any(char.IsSurrogate) ? "x" : probe))
        {
            // Written as JSON either plainly (the serializer escapes only what it must) or with every character escaped.
            var written = escapeAll ? string.Concat(name.Select(c => $"\\u{(int)c:x4}")) : System.Text.Json.JsonSerializer.Serialize(name)[1..^1];
            using var document = System.Text.Json.JsonDocument.Parse($"{{\"{written}\": 1}}");
            if (table.Find(document.RootElement.EnumerateObject().First()) != table.Find(name.AsSpan()))
            {
                return false;
            }
        }

        return true;
    }

    [Theory]
    [InlineData(@"a\b", @"""a\\b""")]
    [InlineData(@"a\u0062", @"""a\\u0062""")]
    [InlineData("ab", @"""a\u0062""")]
    public void FindProperty_NamesWithBackslashes_MatchOnlyTheirOwnText(string name, string writtenName)
    {
        var table = new NameTable([name, "ab"]);
        using var document = System.Text.Json.JsonDocument.Parse($"{{{writtenName}: 1}}");

        Assert.Equal(table.Find(name.AsSpan()), table.Find(document.RootElement.EnumerateObject().First()));
    }
}
