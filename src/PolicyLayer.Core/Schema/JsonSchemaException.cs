namespace PolicyLayer.Schema;

/// <summary>Thrown by <see cref="JsonSchema.Compile"/> when a schema is invalid; <see cref="Errors"/> says every reason.</summary>
public sealed class JsonSchemaException : Exception
{
    /// <summary>Creates the exception from the compile errors.</summary>
    /// <param name="errors">Every reason the schema is invalid.</param>
    public JsonSchemaException(IReadOnlyList<JsonSchemaCompileError> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception with a general message (the schema is invalid) and no compile errors.</summary>
    public JsonSchemaException()
        : this([])
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public JsonSchemaException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public JsonSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Every reason the schema is invalid, each with its location in the schema.</summary>
    public IReadOnlyList<JsonSchemaCompileError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<JsonSchemaCompileError> errors) =>
        errors.Count == 0
            ? "The JSON Schema is invalid."
            : $"The JSON Schema is invalid ({errors.Count} error{(errors.Count == 1 ? string.Empty : "s")}):{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
