namespace PolicyLayer.Policies;

/// <summary>The stable codes of policy load errors. Documented in <c>docs/policy-errors.md</c>.</summary>
public static class PolicyErrorCodes
{
    /// <summary>The text is not valid JSON, or a string in it escapes a lone surrogate (not Unicode text).</summary>
    public const string InvalidJson = "PL001";

    /// <summary>An object has the same key twice.</summary>
    public const string DuplicateKey = "PL002";

    /// <summary>A field the language does not define (names starting with <c>x-</c> are allowed).</summary>
    public const string UnknownField = "PL003";

    /// <summary>A field has the wrong JSON type.</summary>
    public const string WrongType = "PL004";

    /// <summary>A required field is missing.</summary>
    public const string MissingField = "PL005";

    /// <summary><c>version</c> is not <c>"1"</c>.</summary>
    public const string UnknownVersion = "PL006";

    /// <summary><c>default</c> is not <c>"allow"</c> or <c>"deny"</c>.</summary>
    public const string UnknownDefault = "PL007";

    /// <summary>A field has a value outside its allowed set (<c>action</c>, <c>scope</c>, <c>mode</c>, <c>input_schema</c>), or a message for the model is blank (<c>reason</c>, <c>on_deny</c>).</summary>
    public const string InvalidValue = "PL008";

    /// <summary><c>max</c> is not a positive number.</summary>
    public const string NonPositiveMax = "PL009";

    /// <summary><c>window</c> is not a known unit or a positive integer number of seconds.</summary>
    public const string InvalidWindow = "PL010";

    /// <summary><c>op</c> is not a known operator.</summary>
    public const string UnknownOperator = "PL011";

    /// <summary>A condition's <c>value</c> is missing or has the wrong shape for its <c>op</c>.</summary>
    public const string InvalidConditionValue = "PL012";

    /// <summary>A <c>regex</c> value is not a valid linear-time regular expression.</summary>
    public const string InvalidRegex = "PL013";

    /// <summary>A <c>schema</c> is not a valid JSON Schema.</summary>
    public const string InvalidSchema = "PL014";

    /// <summary>Two limits define the same counter differently.</summary>
    public const string ConflictingCounter = "PL015";

    /// <summary>A path does not start with <c>args</c>, <c>caller</c>, <c>tool</c>, <c>grant</c> or <c>session</c>, or is malformed.</summary>
    public const string InvalidPath = "PL016";

    /// <summary>A limit's <c>cost</c> is not a positive number or a path to one.</summary>
    public const string InvalidCost = "PL017";
}
