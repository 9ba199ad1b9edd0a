using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Text.Json;
using PolicyLayer;
using PolicyLayer.Schema;

namespace PolicyLayer.JsonSchema.Tests.Conformance;

/// <summary>
/// The official JSON Schema Test Suite as a list of cases ("draft2020-12/ref.json#3/1": file, case index, test index)
/// and a way to run one. Shared by the xunit conformance tests and the report generator.
/// </summary>
public static class ConformanceSuite
{
    /// <summary>The drafts run.</summary>
    public static readonly string[] Drafts = ["draft2020-12", "draft7"];

    /// <summary>The formats the validator asserts; their optional/format files must pass in full.</summary>
    public static readonly string[] AssertedFormats =
        ["date-time", "date", "time", "duration", "email", "hostname", "ipv4", "ipv6", "uri", "uri-reference", "uuid", "json-pointer", "regex"];

    private const string SuiteFolder = "conformance/json-schema-test-suite";
    private static readonly Lazy<string> Root = new(Locate);
    private static readonly Lazy<JsonSchemaRegistry> Remotes = new(LoadRemotes);
    private static readonly ConcurrentDictionary<string, JsonElement> Files = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, CompiledCase> Compiled = new(StringComparer.Ordinal);
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 10_000 };

    /// <summary>The suite folder.</summary>
    public static string SuiteRoot => Root.Value;

    /// <summary>Every test id of a draft, in file order.</summary>
    public static IEnumerable<string> CaseIds(string draft)
    {
        foreach (var file in FilesOf(draft))
        {
            var cases = LoadFile(file);
            var caseIndex = 0;
            foreach (var testCase in cases.EnumerateArray())
            {
                var testCount = testCase.GetProperty("tests").GetArrayLength();
                for (var testIndex = 0; testIndex < testCount; testIndex++)
                {
                    yield return $"{file}#{caseIndex}/{testIndex}";
                }

                caseIndex++;
            }
        }
    }

    /// <summary>A draft's files ("draft7/ref.json", "draft7/optional/format/date.json"), in order.</summary>
    private static IEnumerable<string> FilesOf(string draft)
    {
        var folder = Path.Combine(SuiteRoot, "tests", draft);
        return Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)
            .Select(path => draft + "/" + Path.GetRelativePath(folder, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>The file part of a test id ("draft7/optional/format/date.json").</summary>
    public static string FileOf(string id) => id[..id.IndexOf('#', StringComparison.Ordinal)];

    /// <summary>Whether a file is required (not under optional/).</summary>
    public static bool IsRequired(string file) => !file.Contains("/optional/", StringComparison.Ordinal);

    /// <summary>Runs one test; the outcome says whether it passed and, if not, why.</summary>
    public static ConformanceOutcome Run(string id)
    {
        var file = FileOf(id);
        var indices = id[(file.Length + 1)..].Split('/');
        var caseIndex = int.Parse(indices[0], System.Globalization.CultureInfo.InvariantCulture);
        var testIndex = int.Parse(indices[1], System.Globalization.CultureInfo.InvariantCulture);
        var testCase = LoadFile(file)[caseIndex];
        var test = testCase.GetProperty("tests")[testIndex];
        var description = $"{testCase.GetProperty("description").GetString()} / {test.GetProperty("description").GetString()}";
        var expected = test.GetProperty("valid").GetBoolean();

        var compiled = Compiled.GetOrAdd(file + "#" + caseIndex, _ => Compile(file, testCase.GetProperty("schema")));
        if (compiled.Schema is null)
        {
            return new ConformanceOutcome(false, $"{description}: the schema did not compile: {string.Join("; ", compiled.Errors)}");
        }

        var data = test.GetProperty("data");
        var valid = compiled.Schema.IsValid(data);
        var errors = compiled.Schema.Validate(data);
        if (valid != expected)
        {
            return new ConformanceOutcome(false, $"{description}: expected {(expected ? "valid" : "invalid")} but IsValid returned {valid}; errors: {string.Join("; ", errors)}");
        }

        if ((errors.Count == 0) != expected)
        {
            return new ConformanceOutcome(false, $"{description}: IsValid agrees but Validate returned {errors.Count} errors");
        }

        return OtherPaths(compiled.Schema, data, expected) is { } disagreement
            ? new ConformanceOutcome(false, $"{description}: IsValid and Validate agree, but {disagreement}")
            : new ConformanceOutcome(true, description);
    }

    /// <summary>
    /// The same answer from every other way a value is evaluated: the walk that collects errors (Validate runs it only
    /// on a value the fast path refused, so a valid value never reaches it through Validate), and an object held as a
    /// dictionary (how the MCP SDK hands arguments over), both a <see cref="Dictionary{TKey, TValue}"/> and another
    /// <see cref="IReadOnlyDictionary{TKey, TValue}"/>, which take paths of their own.
    /// </summary>
    /// <returns><see langword="null"/>, or which path disagreed and how.</returns>
    internal static string? OtherPaths(PolicyLayer.Schema.JsonSchema schema, JsonElement data, bool expected)
    {
        if (Disagrees(schema, new JsonProperties(data), expected, checkFastPath: false) is { } walk)
        {
            return $"the error-collecting walk {walk}";
        }

        if (AsDictionary(data) is not { } dictionary)
        {
            return null;
        }

        if (Disagrees(schema, new JsonProperties(dictionary), expected, checkFastPath: true) is { } held)
        {
            return $"as a Dictionary it {held}";
        }

        var readOnly = (IReadOnlyDictionary<string, JsonElement>)new ReadOnlyDictionary<string, JsonElement>(dictionary);
        return Disagrees(schema, new JsonProperties(readOnly), expected, checkFastPath: true) is { } other
            ? $"as an IReadOnlyDictionary it {other}"
            : null;
    }

    private static string? Disagrees(PolicyLayer.Schema.JsonSchema schema, in JsonProperties instance, bool expected, bool checkFastPath)
    {
        if (checkFastPath && schema.IsValid(instance) != expected)
        {
            return $"is {(expected ? "refused" : "accepted")} by IsValid";
        }

        var errors = schema.CollectErrors(instance);
        return (errors.Count == 0) == expected
            ? null
            : expected ? $"reports errors for a valid value: {string.Join("; ", errors)}" : "reports no error for an invalid value";
    }

    /// <summary>An object's members as a dictionary; <see langword="null"/> for any other value, or an object that repeats a name (a dictionary cannot hold it).</summary>
    private static Dictionary<string, JsonElement>? AsDictionary(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var dictionary = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in data.EnumerateObject())
        {
            // Decoded as the library decodes names: a lone surrogate stays one (property.Name would throw).
            if (!dictionary.TryAdd(PolicyLayer.Json.JsonStrings.GetName(property), property.Value))
            {
                return null;
            }
        }

        return dictionary;
    }

    /// <summary>The options a file's schemas are compiled with: its draft, format assertion for the format files, the suite's remotes.</summary>
    public static JsonSchemaOptions OptionsFor(string file) => new()
    {
        DefaultDialect = file.StartsWith("draft7/", StringComparison.Ordinal) ? JsonSchemaDialect.Draft7 : JsonSchemaDialect.Draft202012,
        AssertFormat = file.Contains("/optional/format/", StringComparison.Ordinal),
        Registry = Remotes.Value,
    };

    /// <summary>Every schema of a draft's files with the values its tests evaluate, as text.</summary>
    public static IEnumerable<SuiteSchema> Schemas(string draft)
    {
        foreach (var file in FilesOf(draft))
        {
            foreach (var testCase in LoadFile(file).EnumerateArray())
            {
                var data = testCase.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("data").GetRawText()).ToArray();
                yield return new SuiteSchema(file, testCase.GetProperty("schema").GetRawText(), data);
            }
        }
    }

    private static CompiledCase Compile(string file, JsonElement schema) =>
        PolicyLayer.Schema.JsonSchema.TryCompile(schema, OptionsFor(file), out var compiled, out var errors)
            ? new CompiledCase(compiled, [])
            : new CompiledCase(null, errors);

    private static JsonElement LoadFile(string file) =>
        Files.GetOrAdd(file, f => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(SuiteRoot, "tests", f)), ParseOptions).RootElement);

    private static JsonSchemaRegistry LoadRemotes()
    {
        var registry = new JsonSchemaRegistry();
        var folder = Path.Combine(SuiteRoot, "remotes");
        foreach (var path in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, path).Replace('\\', '/');
            registry.Register(new Uri("http://localhost:1234/" + relative), JsonDocument.Parse(File.ReadAllBytes(path), ParseOptions).RootElement);
        }

        return registry;
    }

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("POLICYLAYER_SHARED_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            var candidate = Path.Combine(fromEnvironment, SuiteFolder);
            return Directory.Exists(candidate)
                ? candidate
                : throw new DirectoryNotFoundException($"POLICYLAYER_SHARED_DIR is '{fromEnvironment}' but '{candidate}' does not exist.");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", SuiteFolder);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"The JSON Schema Test Suite was not found: no 'shared/{SuiteFolder}' above '{AppContext.BaseDirectory}'. " +
            "Clone the shared folder next to the repository or set POLICYLAYER_SHARED_DIR to the folder holding 'conformance/'.");
    }

    private sealed record CompiledCase(PolicyLayer.Schema.JsonSchema? Schema, IReadOnlyList<JsonSchemaCompileError> Errors);
}

/// <summary>One schema of the suite and the values its tests evaluate, as JSON text.</summary>
/// <param name="File">The file it comes from ("draft7/ref.json").</param>
/// <param name="Schema">The schema.</param>
/// <param name="Data">The tests' values.</param>
public sealed record SuiteSchema(string File, string Schema, string[] Data);

/// <summary>The result of one suite test.</summary>
/// <param name="Passed">Whether the validator agreed with the suite.</param>
/// <param name="Detail">The test's description and, on failure, what went wrong.</param>
public sealed record ConformanceOutcome(bool Passed, string Detail);

/// <summary>The exclusions file: test ids or whole files the validator is known to fail, each with the reason.</summary>
public static class ConformanceExclusions
{
    private static readonly Lazy<Dictionary<string, string>> Entries = new(Load);

    /// <summary>The reason a test is excluded, or <see langword="null"/>.</summary>
    public static string? ReasonFor(string id)
    {
        if (Entries.Value.TryGetValue(id, out var reason))
        {
            return reason;
        }

        var file = ConformanceSuite.FileOf(id);
        if (Entries.Value.TryGetValue(file, out reason))
        {
            return reason;
        }

        // "file#case" excludes every test of one case.
        var caseId = id[..id.LastIndexOf('/')];
        return Entries.Value.TryGetValue(caseId, out reason) ? reason : null;
    }

    /// <summary>The path of the exclusions file.</summary>
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "conformance-exclusions.json");

    private static Dictionary<string, string> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(FilePath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.GetProperty("exclusions").EnumerateObject())
        {
            entries[property.Name] = property.Value.GetString()!;
        }

        return entries;
    }
}
