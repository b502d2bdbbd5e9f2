using Npgsql;

namespace RuralCredit.Silo.Postgres;

/// <summary>Tells an outage of PostgreSQL (retry later) from an error in a statement (a bug).</summary>
public static class PostgresErrors
{
    /// <summary>True when the exception means the server cannot be reached or is shutting down.</summary>
    public static bool IsOutage(Exception e) => e switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException => true, // connection refused, broken, timed out (socket and timeout errors come wrapped in it)
        _ => e.InnerException is { } inner && IsOutage(inner),
    };

    /// <summary>Runs a storage operation, turning an outage into <see cref="StorageUnavailableException"/>.</summary>
    public static async ValueTask<T> Guard<T>(Func<ValueTask<T>> operation, string what)
    {
        try
        {
            return await operation();
        }
        catch (Exception e) when (IsOutage(e))
        {
            // Not chained as the inner exception: this one crosses to the API host, and Orleans has no codec for Npgsql's
            // exceptions (the call would fail with CodecNotFoundException, a 500, instead of a 503).
            throw new StorageUnavailableException($"PostgreSQL is unavailable ({what}): {e.GetType().Name}: {e.Message}");
        }
    }
}
