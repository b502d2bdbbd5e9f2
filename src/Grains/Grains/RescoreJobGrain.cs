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
/// </summary>
[Reentrant]
public sealed partial class RescoreJobGrain(
    [PersistentState("job", RuralCreditConstants.StorageName)] IPersistentState<RescoreJobState> state,
    ISubjectDirectory directory,
    TimeProvider time,
    ILogger<RescoreJobGrain> logger) : Grain, IRescoreJobGrain
{
    private const int Parallelism = 64;

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
            }

            state.State.Status = status with { State = "done", FinishedAt = time.GetUtcNow() };
        }
        catch (Exception ex)
        {
            LogFailed(ex, this.GetPrimaryKeyString());
            state.State.Status = status with { State = "failed", FinishedAt = time.GetUtcNow(), Error = ex.Message };
        }

        await state.WriteStateAsync();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Re-score job {JobId} failed")]
    private partial void LogFailed(Exception ex, string jobId);
}
