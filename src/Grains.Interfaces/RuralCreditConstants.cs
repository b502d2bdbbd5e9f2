namespace RuralCredit;

/// <summary>Provider names, stream namespaces and fixed keys shared by silo, grains and clients.</summary>
public static class RuralCreditConstants
{
    /// <summary>Grain storage provider for every RuralCredit grain.</summary>
    public const string StorageName = "credit";

    /// <summary>The persistent stream provider whose queue is the ledger.</summary>
    public const string LedgerStreamProvider = "ledger";

    /// <summary>Stream namespace of a subject's ledger entries; the stream key is the subject id.</summary>
    public const string SubjectRecordsNamespace = "subject-records";

    /// <summary>Key of the single catalog grain.</summary>
    public const string CatalogKey = "default";

    /// <summary>Code of the city region (宿迁市).</summary>
    public const string CityCode = "321300";

    /// <summary>Name of the daily re-evaluation reminder of village grains.</summary>
    public const string DailyRefreshReminder = "daily-refresh";

    /// <summary>Subject types (涉农主体类型) in their canonical order.</summary>
    public static readonly IReadOnlyList<string> SubjectTypes =
        ["farmer", "family_farm", "cooperative", "enterprise", "service_org", "agri_input", "grain_enterprise"];
}
