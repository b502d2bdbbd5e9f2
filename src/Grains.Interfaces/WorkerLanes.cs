namespace RuralCredit;

/// <summary>
/// Keys of the stateless worker grains (<see cref="IRecordIngestGrain"/>, <see cref="IRegistrationGrain"/>). Any key
/// works; a cluster client sends all calls to one grain id through one gateway, so the API host spreads its calls over
/// <see cref="Count"/> keys: every silo's gateway then takes a share of the validation and ledger appends, and a silo
/// that dies takes only its share of the requests in flight with it.
/// </summary>
public static class WorkerLanes
{
    public const int Count = 16;

    /// <summary>A key for the next call.</summary>
    public static long Next() => Random.Shared.Next(Count);
}
