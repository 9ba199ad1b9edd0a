namespace PolicyLayer.Schema;

/// <summary>One reason an instance does not satisfy a schema.</summary>
/// <param name="InstanceLocation">Where in the instance, as a JSON Pointer (<c>/amount</c>; empty for the whole instance).</param>
/// <param name="KeywordLocation">Which keyword failed, as a JSON Pointer into the schema (<c>/properties/amount/maximum</c>).</param>
/// <param name="Keyword">The keyword's name (<c>maximum</c>).</param>
/// <param name="Message">A message a model can act on (<c>/amount: 150 is greater than the maximum 100</c>).</param>
public sealed record SchemaValidationError(string InstanceLocation, string KeywordLocation, string Keyword, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}
