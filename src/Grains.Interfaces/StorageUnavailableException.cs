namespace RuralCredit;

/// <summary>
/// The durable store (the ledger's PostgreSQL) cannot be reached: nothing of the request was made durable and it is
/// safe to retry. The API answers <c>503</c> with problem code <c>storage_unavailable</c>.
/// </summary>
[GenerateSerializer, Alias("rc.StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
