using System.Text.Json;

namespace PolicyLayer.Tests;

public class JsonPropertiesTests
{
    [Fact]
    public void TryGetProperty_FromElementAndDictionary_FindsSameValue()
    {
        using var doc = JsonDocument.Parse("""{"a": 1, "b": "x"}""");
        var fromElement = new JsonProperties(doc.RootElement);
        var fromDictionary = new JsonProperties(new Dictionary<string, JsonElement> { ["a"] = doc.RootElement.GetProperty("a"), ["b"] = doc.RootElement.GetProperty("b") });

        Assert.True(fromElement.TryGetProperty("b", out var e));
        Assert.True(fromDictionary.TryGetProperty("b", out var d));
        Assert.Equal("x", e.GetString());
        Assert.Equal("x", d.GetString());
        Assert.Equal(2, fromElement.Count);
        Assert.Equal(2, fromDictionary.Count);
        Assert.False(fromElement.TryGetProperty("c", out _));
    }

    [Fact]
    public void NameEquals_NameEscapingALoneSurrogate_ComparedAsThatCodeUnitNotRefused()
    {
        using var doc = JsonDocument.Parse("""{"\ud800": 1, "a\u0062": 2, "c": 3}""");
        var views = new List<JsonPropertyView>();
        foreach (var property in new JsonProperties(doc.RootElement))
        {
            views.Add(property);
        }

        Assert.True(views[0].NameEquals("\ud800"));
        Assert.False(views[0].NameEquals("\ufffd"));
        Assert.False(views[0].NameEquals("\ufffd"u8));
        Assert.True(views[1].NameEquals("ab"));
        Assert.True(views[1].NameEquals("ab"u8));
        Assert.True(views[2].NameEquals("c"));
        Assert.True(views[2].NameEquals("c"u8));
        Assert.False(views[2].NameEquals("d"u8));
    }

    [Fact]
    public void Default_IsEmptyObject()
    {
        var empty = JsonProperties.Empty;
        Assert.Equal(JsonValueKind.Object, empty.RootKind);
        Assert.Equal(0, empty.Count);
        Assert.False(empty.GetEnumerator().MoveNext());
    }

    [Fact]
    public void Enumerator_YieldsNamesFromBothSources()
    {
        using var doc = JsonDocument.Parse("""{"a": 1, "b": 2}""");
        IDictionary<string, JsonElement> dictionary = new SortedDictionary<string, JsonElement> { ["a"] = doc.RootElement.GetProperty("a") };
        var names = new List<string>();
        foreach (var p in new JsonProperties(doc.RootElement))
        {
            names.Add(p.Name);
            Assert.True(p.NameEquals(p.Name));
            Assert.True(p.NameEquals(System.Text.Encoding.UTF8.GetBytes(p.Name)));
        }

        foreach (var p in new JsonProperties(dictionary))
        {
            names.Add(p.Name);
            Assert.True(p.NameEquals("a"u8));
        }

        Assert.Equal(["a", "b", "a"], names);
    }
}
