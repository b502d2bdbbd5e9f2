using Orleans.Runtime;

namespace RuralCredit.Tests.Postgres;

/// <summary>Answers with the silo it runs on: proves a call reached the cluster.</summary>
public interface IOrleansProbeGrain : IGrainWithStringKey
{
    Task<string> WhereAmI();
}

/// <summary>A counter kept in the ADO.NET grain storage named <see cref="OrleansProvidersTests.Store"/>.</summary>
public interface IStoredCounterGrain : IGrainWithStringKey
{
    Task Set(int value);

    Task<int> Get();

    Task Clear();

    /// <summary>Deactivates after this call, so the next call reads the state from storage again.</summary>
    Task Deactivate();
}

/// <summary>Registers, reports and unregisters reminders, and counts the ticks it received.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task Register(string name, TimeSpan dueTime, TimeSpan period);

    Task<bool> IsRegistered(string name);

    Task Unregister(string name);

    Task<int> Ticks(string name);
}

/// <summary>State of <see cref="StoredCounterGrain"/>.</summary>
[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public int Value { get; set; }
}

/// <summary>Implementation of <see cref="IOrleansProbeGrain"/>.</summary>
public sealed class OrleansProbeGrain(ILocalSiloDetails silo) : Grain, IOrleansProbeGrain
{
    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress.ToString());
}

/// <summary>Implementation of <see cref="IStoredCounterGrain"/>.</summary>
public sealed class StoredCounterGrain(
    [PersistentState("counter", OrleansProvidersTests.Store)] IPersistentState<CounterState> counter) : Grain, IStoredCounterGrain
{
    public Task Set(int value)
    {
        counter.State.Value = value;
        return counter.WriteStateAsync();
    }

    public Task<int> Get() => Task.FromResult(counter.State.Value);

    public Task Clear() => counter.ClearStateAsync();

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

/// <summary>Implementation of <see cref="IReminderProbeGrain"/>.</summary>
public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    private readonly Dictionary<string, int> _ticks = [];

    public Task Register(string name, TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task<bool> IsRegistered(string name) => await this.GetReminder(name) is not null;

    public async Task Unregister(string name)
    {
        var reminder = await this.GetReminder(name) ?? throw new InvalidOperationException($"No reminder {name}.");
        await this.UnregisterReminder(reminder);
    }

    public Task<int> Ticks(string name) => Task.FromResult(_ticks.GetValueOrDefault(name));

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _ticks[reminderName] = _ticks.GetValueOrDefault(reminderName) + 1;
        return Task.CompletedTask;
    }
}
