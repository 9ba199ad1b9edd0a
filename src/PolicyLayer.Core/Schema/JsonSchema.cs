using System.Text.Json;
using PolicyLayer.Schema.Compilation;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema;

/// <summary>
/// A JSON Schema compiled once and evaluated many times.
/// </summary>
/// <remarks>
/// Implements draft 2020-12 (the default, what MCP specifies) and draft-07 (selected by <c>$schema</c>); 2019-09
/// documents are evaluated as 2020-12 where the drafts agree, and one using <c>"$recursiveAnchor": true</c> (dynamic
/// recursion, which 2020-12 replaced by <c>$dynamicRef</c>) does not compile. Compilation resolves every <c>$ref</c> up front against
/// the document, <see cref="JsonSchemaOptions.Registry"/> and the built-in metaschemas, and never fetches anything.
/// Evaluation is bounded: instance depth by <see cref="JsonSchemaOptions.MaxInstanceDepth"/>, schema recursion by a
/// fixed limit, patterns by a linear-time regular expression engine (or a timeout where a pattern needs backtracking).
/// <see cref="IsValid(JsonElement)"/> allocates nothing for a valid instance of a schema without
/// <c>unevaluatedProperties</c>/<c>unevaluatedItems</c>/<c>propertyNames</c>; instances are thread-safe to evaluate concurrently.
/// </remarks>
public sealed class JsonSchema
{
    private readonly SchemaNode _root;
    private readonly JsonSchemaOptions _options;
    private readonly bool _usesDynamicScope;

    private JsonSchema(SchemaNode root, JsonSchemaOptions options, bool usesDynamicScope)
    {
        _root = root;
        _options = options;
        _usesDynamicScope = usesDynamicScope;
    }

    /// <summary>Compiles a schema.</summary>
    /// <param name="schema">The schema document.</param>
    /// <param name="options">Options; <see cref="JsonSchemaOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="compiled">The compiled schema, on success.</param>
    /// <param name="errors">Every reason the schema is invalid, on failure.</param>
    /// <returns><see langword="true"/> when the schema compiled.</returns>
    public static bool TryCompile(JsonElement schema, JsonSchemaOptions? options, out JsonSchema? compiled, out IReadOnlyList<JsonSchemaCompileError> errors)
    {
        options ??= JsonSchemaOptions.Default;
        var optionErrors = ValidateOptions(options);
        if (optionErrors.Count > 0)
        {
            compiled = null;
            errors = optionErrors;
            return false;
        }

        var compiler = new SchemaCompiler(options);
        var root = compiler.Compile(schema.Clone());
        if (root is null)
        {
            compiled = null;
            errors = compiler.Errors;
            return false;
        }

        compiled = new JsonSchema(root, options, compiler.UsesDynamicScope);
        errors = [];
        return true;
    }

    /// <summary>Compiles a schema, throwing when it is invalid (for schemas the caller controls).</summary>
    /// <param name="schema">The schema document.</param>
    /// <param name="options">Options; <see cref="JsonSchemaOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>The compiled schema.</returns>
    /// <exception cref="JsonSchemaException">The schema is invalid; <see cref="JsonSchemaException.Errors"/> lists why.</exception>
    public static JsonSchema Compile(JsonElement schema, JsonSchemaOptions? options = null) =>
        TryCompile(schema, options, out var compiled, out var errors) ? compiled! : throw new JsonSchemaException(errors);

    /// <summary>Whether a value satisfies the schema. Allocates nothing for a valid value.</summary>
    /// <param name="instance">The value.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public bool IsValid(JsonElement instance) => IsValid(new JsonProperties(instance));

    /// <summary>Whether an object (held as a dictionary or an element) satisfies the schema.</summary>
    /// <param name="instance">The object.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public bool IsValid(in JsonProperties instance)
    {
        var state = EvaluationState.Rent(_options, _usesDynamicScope, collectErrors: false);
        try
        {
            // An element goes down the fast path at once; a dictionary root takes one general step, its values the fast path.
            return instance.TryGetElement(out var element) ? _root.IsValid(state, element, 0) : _root.Evaluate(state, instance, 0, null);
        }
        finally
        {
            EvaluationState.Return(state);
        }
    }

    /// <summary>
    /// Every reason a value does not satisfy the schema, up to <see cref="JsonSchemaOptions.MaxErrors"/> (then one
    /// more entry says that more were left out); empty when valid.
    /// </summary>
    /// <param name="instance">The value.</param>
    /// <returns>The errors.</returns>
    public IReadOnlyList<SchemaValidationError> Validate(JsonElement instance) => Validate(new JsonProperties(instance));

    /// <summary>Every reason an object does not satisfy the schema, bounded as <see cref="Validate(JsonElement)"/> says; empty when valid.</summary>
    /// <param name="instance">The object.</param>
    /// <returns>The errors.</returns>
    /// <remarks>A valid value costs what <see cref="IsValid(in JsonProperties)"/> costs and allocates nothing.</remarks>
    public IReadOnlyList<SchemaValidationError> Validate(in JsonProperties instance) =>
        // Most values are valid: the fast path, which stops at the first failure, answers those without tracking where
        // it is in the value or the schema; only a value it refuses is walked again for every reason.
        IsValid(instance) ? [] : CollectErrors(instance);

    /// <summary>
    /// <see cref="Validate(in JsonProperties)"/> without the fast check first, for a caller that has just had
    /// <see cref="IsValid(in JsonProperties)"/> refuse the value.
    /// </summary>
    /// <param name="instance">The value.</param>
    /// <returns>The errors; at least one unless the value is valid.</returns>
    internal IReadOnlyList<SchemaValidationError> CollectErrors(in JsonProperties instance)
    {
        // One pass collecting errors; within it, valid leaves are checked on the fast path (see SchemaNode.IsValidScalarQuietly).
        var state = EvaluationState.Rent(_options, _usesDynamicScope, collectErrors: true);
        try
        {
            var valid = _root.Evaluate(state, instance, 0, null);
            var errors = state.Errors;
            if (valid && errors is null)
            {
                return [];
            }

            if (errors is null || valid)
            {
                // Never report "invalid" without a reason (nor a reason for a valid value).
                return valid ? [] : [new SchemaValidationError(string.Empty, string.Empty, string.Empty, "/: the value does not satisfy the schema")];
            }

            if (state.ErrorsOmitted)
            {
                errors.Add(new SchemaValidationError(string.Empty, string.Empty, string.Empty,
                    $"/: at least one more error was not reported (only the first {_options.MaxErrors} are); fix these and validate again"));
            }

            return errors;
        }
        finally
        {
            EvaluationState.Return(state);
        }
    }

    private static List<JsonSchemaCompileError> ValidateOptions(JsonSchemaOptions options)
    {
        var errors = new List<JsonSchemaCompileError>();
        if (options.MaxInstanceDepth < 1)
        {
            errors.Add(new JsonSchemaCompileError(string.Empty, $"JsonSchemaOptions.MaxInstanceDepth must be at least 1 (it is {options.MaxInstanceDepth})."));
        }

        if (options.MaxErrors < 1)
        {
            errors.Add(new JsonSchemaCompileError(string.Empty, $"JsonSchemaOptions.MaxErrors must be at least 1 (it is {options.MaxErrors})."));
        }

        if (options.RegexTimeout <= TimeSpan.Zero && options.RegexTimeout != System.Text.RegularExpressions.Regex.InfiniteMatchTimeout)
        {
            errors.Add(new JsonSchemaCompileError(string.Empty, "JsonSchemaOptions.RegexTimeout must be positive."));
        }

        return errors;
    }
}
