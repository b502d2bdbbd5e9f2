using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using RuralCredit.Ledger;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>State of a re-score job.</summary>
[GenerateSerializer, Alias("rc.RescoreJobState")]
public sealed class RescoreJobState
{
    [Id(0)] public JobStatus? Status { get; set; }
    [Id(1)] public string? SubjectType { get; set; }
    [Id(2)] public int ModelVersion { get; set; }
}

/// <summary>
/// Re-scores every subject of a type after a model is published: each subject re-evaluates and sends its
/// summary upward. Reentrant so that progress can be read while the job runs; the job loop is the only writer.
/// A job outlives its silo: a reminder wakes it while it is running, and an activation that finds it running (its
/// silo died mid-way) runs it again from the start (re-scoring a subject twice changes nothing).
/// </summary>
[Reentrant]
public sealed partial class RescoreJobGrain(
    [PersistentState("job", RuralCreditConstants.StorageName)] IPersistentState<RescoreJobState> state,
    ISubjectDirectory directory,
    TimeProvider time,
    ILogger<RescoreJobGrain> logger) : Grain, IRescoreJobGrain, IRemindable
{
    private const int Parallelism = 64;

    /// <summary>The reminder that wakes a running job whose activation was lost.</summary>
    public const string ResumeReminder = "rescore-resume";

    /// <summary>Progress is written every this many chunks (and at the end).</summary>
    private const int ChunksPerProgressWrite = 16;

    /// <summary>The loop runs in this activation.</summary>
    private bool _running;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Status is { State: "running" })
        {
            LogResumed(this.GetPrimaryKeyString(), state.State.Status.Done, state.State.Status.Total);
            StartLoop();
        }

        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Status is { State: "running" })
        {
            StartLoop(); // woken after its silo died: this activation resumed it already, or does now
        }
        else if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task StartAsync(string subjectType, int modelVersion)
    {
        if (state.State.Status is not null)
        {
            return;
        }

        state.State.SubjectType = subjectType;
        state.State.ModelVersion = modelVersion;
        state.State.Status = new JobStatus { JobId = this.GetPrimaryKeyString(), Kind = "rescore", State = "running", StartedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        StartLoop();
    }

    private void StartLoop()
    {
        if (_running)
        {
            return;
        }

        _running = true;
        this.RegisterGrainTimer(static (self, ct) => self.RunAsync(), this, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.Zero,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = true,
            KeepAlive = true,
        });
    }

    public Task<JobStatus?> GetStatusAsync() => Task.FromResult(state.State.Status);

    private async Task RunAsync()
    {
        var status = state.State.Status!;
        try
        {
            var ids = await directory.ListByTypeAsync(state.State.SubjectType!);
            status = status with { Total = ids.Count };
            state.State.Status = status;
            for (var i = 0; i < ids.Count; i += Parallelism)
            {
                var chunk = ids.Skip(i).Take(Parallelism);
                await Task.WhenAll(chunk.Select(id => GrainFactory.ByKey<ISubjectGrain>(id).RescoreAsync(state.State.ModelVersion)));
                status = status with { Done = Math.Min(ids.Count, i + Parallelism) };
                state.State.Status = status;
                if ((i / Parallelism) % ChunksPerProgressWrite == ChunksPerProgressWrite - 1)
                {
                    await state.WriteStateAsync(); // progress a resumed job's reader saw last
                }
            }

            state.State.Status = status with { State = "done", FinishedAt = time.GetUtcNow() };
        }
        catch (Exception ex)
        {
            LogFailed(ex, this.GetPrimaryKeyString());
            state.State.Status = status with { State = "failed", FinishedAt = time.GetUtcNow(), Error = ex.Message };
        }

        await state.WriteStateAsync();
        _running = false;
        if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Re-score job {JobId} failed")]
    private partial void LogFailed(Exception ex, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-score job {JobId} found running ({Done}/{Total} when last written): its silo stopped; running it again")]
    private partial void LogResumed(string jobId, int done, int total);
}
