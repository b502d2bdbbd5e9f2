namespace RuralCredit.Hosting;

/// <summary>Options section <c>Identity</c>: the secret that keys person subject ids.</summary>
public sealed class IdentityOptions
{
    public const string SectionName = "Identity";

    /// <summary>HMAC secret for person subject ids (at least 16 characters). Never commit a production value.</summary>
    public string PersonIdSecret { get; set; } = "";

    /// <summary>
    /// Lets the postgres profile start without a secret of its own, on the public development secret (a local trial
    /// only: anyone who knows it can reverse person ids by hashing the plausible identity numbers).
    /// </summary>
    public bool AllowDevelopmentSecret { get; set; }
}

/// <summary>Options section <c>Grains</c>: timing of grain writes and propagation.</summary>
public sealed class GrainTimingOptions
{
    public const string SectionName = "Grains";

    /// <summary>How long a subject or region waits before writing a changed snapshot (coalesces writes).</summary>
    public TimeSpan StateWriteDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Minimum interval between two summaries a region sends upward.</summary>
    public TimeSpan PropagationInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether subjects write their folded archive (snapshot + watermark) to grain storage. Off in the embedded
    /// profile, where grain storage and the ledger share the process memory: the snapshot would be a second copy
    /// of what the ledger already holds, gone at the same moment, and a subject rebuilds from the ledger on
    /// activation anyway. The durable profile turns it on. Registration and redemptions are always written.
    /// </summary>
    public bool SubjectSnapshotWrites { get; set; }

    /// <summary>
    /// How many ledger entries a subject folds past its last written snapshot before it writes a new one (coalesced by
    /// <see cref="StateWriteDelay"/>; also on deactivation only when that many are pending). A snapshot only saves the
    /// catch-up read of those entries on the next activation, which reads the ledger past the watermark anyway: for a
    /// subject with a handful of records the write costs more than the read it saves.
    /// </summary>
    public int SnapshotAfterEntries { get; set; } = 16;

    /// <summary>
    /// Whether a village or region whose last activation did not end cleanly (its silo was killed) rebuilds its
    /// entries from its children on activation: its snapshot may be up to <see cref="StateWriteDelay"/> old, and
    /// children do not resend summaries that did not change. On in the durable profile.
    /// </summary>
    public bool ReconcileAfterCrash { get; set; }

    /// <summary>How often a silo re-reads the catalog and the published models (they live on one silo each).</summary>
    public TimeSpan DomainRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Period of the village re-evaluation (decay, expiry) reminder.</summary>
    public TimeSpan RefreshPeriod { get; set; } = TimeSpan.FromDays(1);
}
