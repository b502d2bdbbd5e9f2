using RuralCredit.ApiHost.Contracts;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>
/// A registration batch split into the items that could be read (sent on to the engine) and those that could not
/// (rejected here, each with its error); the answers come back merged, in the batch's order, with the batch's indices.
/// </summary>
public sealed class BatchItems<TValid>
{
    private readonly List<int> _validIndices;
    private readonly List<RegistrationResultItem> _rejected;

    internal BatchItems(List<TValid> valid, List<int> validIndices, List<RegistrationResultItem> rejected)
    {
        Valid = valid;
        _validIndices = validIndices;
        _rejected = rejected;
    }

    /// <summary>The items read, in batch order.</summary>
    public List<TValid> Valid { get; }

    /// <summary>The batch index of the <paramref name="validIndex"/>-th item read.</summary>
    public int IndexOf(int validIndex) => _validIndices[validIndex];

    /// <summary>The engine's answers for <see cref="Valid"/> and the rejections, by batch index.</summary>
    public BatchResults Results<TOutcome>(IEnumerable<TOutcome> outcomes, Func<TOutcome, RegistrationResultItem> map) =>
        new(outcomes.Select(map).Concat(_rejected).OrderBy(r => r.Index).ToList());
}

public static class BatchItems
{
    /// <summary>Splits read items (<see cref="JsonBody.ReadBatchAsync{T}"/>) into those to send, converted, and the rejected.</summary>
    public static BatchItems<TValid> Split<TItem, TValid>(IReadOnlyList<(TItem? Item, string? Error)> items, Func<TItem, TValid> convert)
        where TItem : class
    {
        var valid = new List<TValid>(items.Count);
        var indices = new List<int>(items.Count);
        var rejected = new List<RegistrationResultItem>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is { Item: { } item, Error: null })
            {
                valid.Add(convert(item));
                indices.Add(i);
            }
            else
            {
                rejected.Add(new RegistrationResultItem(i, null, null, "rejected", new ErrorBody("validation_failed", items[i].Error ?? "an item must be a JSON object")));
            }
        }

        return new BatchItems<TValid>(valid, indices, rejected);
    }
}
