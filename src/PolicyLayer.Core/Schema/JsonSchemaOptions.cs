namespace PolicyLayer.Schema;

/// <summary>How schemas are compiled and instances evaluated.</summary>
public sealed class JsonSchemaOptions
{
    /// <summary>The shared default options.</summary>
    public static JsonSchemaOptions Default { get; } = new();

    /// <summary>The dialect of a schema without <c>$schema</c>. Default: draft 2020-12.</summary>
    public JsonSchemaDialect DefaultDialect { get; init; } = JsonSchemaDialect.Draft202012;

    /// <summary>
    /// Whether <c>format</c> asserts (date-time, date, time, duration, email, hostname, ipv4, ipv6, uri,
    /// uri-reference, uuid, json-pointer, regex) instead of only annotating. Default: <see langword="false"/>.
    /// </summary>
    /// <remarks>
    /// A <c>regex</c> value is checked for ECMA-262 syntax only, without keeping anything; one longer than 10,000
    /// characters is refused.
    /// </remarks>
    public bool AssertFormat { get; init; }

    /// <summary>
    /// The deepest instance nesting evaluated; a value nested deeper is invalid ("the value is nested deeper than N
    /// levels"), never a stack overflow, whether or not a subschema looks into it (<c>const</c>, <c>enum</c>,
    /// <c>uniqueItems</c> and a bare <c>{"type": "array"}</c> included). Default: 64.
    /// </summary>
    public int MaxInstanceDepth { get; init; } = 64;

    /// <summary>
    /// How long <c>pattern</c> and <c>patternProperties</c> matches on the backtracking engine may take, each and all
    /// of one validation together, before the instance is reported invalid. Default: 100 ms.
    /// </summary>
    /// <remarks>
    /// Patterns normally run on the linear-time <see cref="System.Text.RegularExpressions.RegexOptions.NonBacktracking"/>
    /// engine, where this limit never matters (<c>(a+)+$</c> on a long string is still linear). Only patterns that engine
    /// cannot express (backreferences, lookarounds, <c>\b</c>) fall back to the backtracking engine, bounded by this
    /// timeout. It is one budget for the whole validation: once the matches have taken this long in total, or one has
    /// timed out, every further match counts as timed out without running, so a thousand values each close to the
    /// timeout cannot add up to minutes. A match that times out makes the value invalid with a message saying so.
    /// </remarks>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The most errors <see cref="JsonSchema.Validate(System.Text.Json.JsonElement)"/> reports. Default: 100.
    /// </summary>
    /// <remarks>
    /// Evaluation stops at the first error past this many, and the list then ends with one more entry saying that
    /// further errors were left out (at least one), so that a value with a million faults costs no more than one with
    /// a hundred. Each message is bounded too: values, property names and nested explanations are quoted cut short.
    /// </remarks>
    public int MaxErrors { get; init; } = 100;

    /// <summary>
    /// The clock that measures how long backtracking pattern matches take (see <see cref="RegexTimeout"/>).
    /// Default: <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Documents that <c>$ref</c> may point to by URI. Nothing is ever fetched from the network.</summary>
    public JsonSchemaRegistry? Registry { get; init; }

    /// <summary>
    /// Whether a compiled document is also checked against its metaschema (off only for compiling the metaschemas that
    /// check, which would otherwise check themselves without end).
    /// </summary>
    internal bool ChecksMetaschema { get; init; } = true;
}
