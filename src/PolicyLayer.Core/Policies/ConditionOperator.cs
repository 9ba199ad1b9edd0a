namespace PolicyLayer.Policies;

/// <summary>The comparison a condition makes (the <c>op</c> field).</summary>
public enum ConditionOperator
{
    /// <summary><c>eq</c>: JSON equality (numbers by value, strings exactly, arrays and objects deeply).</summary>
    Eq,

    /// <summary><c>neq</c>: not <c>eq</c>.</summary>
    Neq,

    /// <summary><c>in</c>: equal to one of the items of <c>value</c>.</summary>
    In,

    /// <summary><c>not_in</c>: equal to none of the items of <c>value</c>.</summary>
    NotIn,

    /// <summary><c>lt</c>: a number less than <c>value</c>.</summary>
    Lt,

    /// <summary><c>lte</c>: a number less than or equal to <c>value</c>.</summary>
    Lte,

    /// <summary><c>gt</c>: a number greater than <c>value</c>.</summary>
    Gt,

    /// <summary><c>gte</c>: a number greater than or equal to <c>value</c>.</summary>
    Gte,

    /// <summary><c>regex</c>: a string matching <c>value</c> (unanchored, linear time).</summary>
    Regex,

    /// <summary><c>contains</c>: a string containing <c>value</c>, or an array with an item equal to <c>value</c>.</summary>
    Contains,

    /// <summary><c>exists</c>: present and not null.</summary>
    Exists,

    /// <summary><c>not_exists</c>: missing or null.</summary>
    NotExists,
}
