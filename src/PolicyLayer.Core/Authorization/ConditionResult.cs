namespace PolicyLayer.Authorization;

/// <summary>
/// How a condition came out. The two rule kinds read it differently, so that mistakes fail closed: in
/// <c>require</c> only <see cref="Holds"/> passes; in <c>deny_if</c> <see cref="Holds"/> and
/// <see cref="TypeMismatch"/> both refuse, while <see cref="Missing"/> does not.
/// </summary>
internal enum ConditionResult
{
    Holds,
    DoesNotHold,
    Missing,
    TypeMismatch,
}
