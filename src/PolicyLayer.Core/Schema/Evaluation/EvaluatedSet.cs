using System.Text.Json;

namespace PolicyLayer.Schema.Evaluation;

/// <summary>
/// Which properties (by position) or items (by index) of one instance some keyword has evaluated:
/// the annotations <c>unevaluatedProperties</c> and <c>unevaluatedItems</c> depend on.
/// </summary>
internal sealed class EvaluatedSet
{
    private readonly bool[] _marks;

    private EvaluatedSet(int count) => _marks = count == 0 ? [] : new bool[count];

    public int Count => _marks.Length;

    public static EvaluatedSet For(in JsonProperties instance) => instance.RootKind switch
    {
        JsonValueKind.Object => new EvaluatedSet(instance.Count),
        JsonValueKind.Array when instance.TryGetElement(out var array) => new EvaluatedSet(array.GetArrayLength()),
        _ => new EvaluatedSet(0),
    };

    public EvaluatedSet CreateChild() => new(_marks.Length);

    public void Mark(int index)
    {
        if ((uint)index < (uint)_marks.Length)
        {
            _marks[index] = true;
        }
    }

    public void MarkAll() => Array.Fill(_marks, true);

    public bool IsMarked(int index) => (uint)index < (uint)_marks.Length && _marks[index];

    public void MergeFrom(EvaluatedSet other)
    {
        for (var i = 0; i < _marks.Length && i < other._marks.Length; i++)
        {
            _marks[i] |= other._marks[i];
        }
    }
}
