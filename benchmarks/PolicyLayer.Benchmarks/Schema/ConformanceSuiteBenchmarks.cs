using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PolicyLayer.Schema;

namespace PolicyLayer.Benchmarks.Schema;

/// <summary>
/// The whole draft 2020-12 directory of the JSON Schema Test Suite (required and optional): every schema compiled,
/// then every test evaluated. The baseline compiles only, so the ratio shows what evaluation adds.
/// </summary>
[MemoryDiagnoser]
public class ConformanceSuiteBenchmarks
{
    private readonly List<(JsonElement Schema, JsonSchemaOptions Options, JsonElement[] Data)> _cases = [];

    [GlobalSetup]
    public void Setup()
    {
        var root = Locate();
        var registry = new JsonSchemaRegistry();
        var remotes = Path.Combine(root, "remotes");
        foreach (var path in Directory.EnumerateFiles(remotes, "*.json", SearchOption.AllDirectories))
        {
            registry.Register(new Uri("http://localhost:1234/" + Path.GetRelativePath(remotes, path).Replace('\\', '/')), JsonDocument.Parse(File.ReadAllBytes(path)).RootElement);
        }

        var folder = Path.Combine(root, "tests", "draft2020-12");
        foreach (var path in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var options = new JsonSchemaOptions { Registry = registry, AssertFormat = path.Contains("format", StringComparison.Ordinal) };
            foreach (var testCase in JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 1000 }).RootElement.EnumerateArray())
            {
                var data = testCase.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("data")).ToArray();
                _cases.Add((testCase.GetProperty("schema"), options, data));
            }
        }
    }

    [Benchmark(Baseline = true)]
    public int CompileOnly()
    {
        var compiled = 0;
        foreach (var (schema, options, _) in _cases)
        {
            if (PolicyLayer.Schema.JsonSchema.TryCompile(schema, options, out _, out _))
            {
                compiled++;
            }
        }

        return compiled;
    }

    [Benchmark]
    public int CompileAndEvaluate()
    {
        var valid = 0;
        foreach (var (schema, options, data) in _cases)
        {
            if (!PolicyLayer.Schema.JsonSchema.TryCompile(schema, options, out var compiled, out _))
            {
                continue;
            }

            foreach (var instance in data)
            {
                if (compiled!.IsValid(instance))
                {
                    valid++;
                }
            }
        }

        return valid;
    }

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("POLICYLAYER_SHARED_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Path.Combine(fromEnvironment, "conformance", "json-schema-test-suite");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "conformance", "json-schema-test-suite");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/conformance/json-schema-test-suite not found above the benchmark; set POLICYLAYER_SHARED_DIR.");
    }
}
