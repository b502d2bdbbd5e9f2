using Npgsql;
using RuralCredit.Silo.Postgres;

namespace RuralCredit.Tests.Postgres;

public sealed class ConnectionTuningTests
{
    [Fact]
    public void Pools_get_a_size_no_session_reset_and_prepared_statements()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresHosting.Tuned("Host=db;Username=rc;Database=ruralcredit", 24));

        Assert.Equal("db", tuned.Host);
        Assert.Equal(24, tuned.MaxPoolSize);
        Assert.Equal(60, tuned.Timeout);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(32, tuned.MaxAutoPrepare);
    }

    [Fact]
    public void Settings_given_in_the_connection_string_win()
    {
        var given = "Host=db;Username=rc;Database=ruralcredit;Maximum Pool Size=7;Timeout=5;No Reset On Close=false;Max Auto Prepare=0";
        var tuned = new NpgsqlConnectionStringBuilder(PostgresHosting.Tuned(given, 24));

        Assert.Equal(7, tuned.MaxPoolSize);
        Assert.Equal(5, tuned.Timeout);
        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(0, tuned.MaxAutoPrepare);
    }
}
