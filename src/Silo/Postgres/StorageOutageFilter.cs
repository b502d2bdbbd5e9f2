namespace RuralCredit.Silo.Postgres;

/// <summary>
/// A grain call that failed because PostgreSQL is unreachable answers <see cref="StorageUnavailableException"/>
/// (which every caller can deserialize and the API maps to 503 <c>storage_unavailable</c>) instead of the driver's
/// own exception.
/// </summary>
public sealed class StorageOutageFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (e is not StorageUnavailableException && PostgresErrors.IsOutage(e))
        {
            throw new StorageUnavailableException($"PostgreSQL is unavailable: {e.Message}");
        }
    }
}
