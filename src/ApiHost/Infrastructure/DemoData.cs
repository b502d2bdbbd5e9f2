namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>Options section <c>Demo</c>: synthetic Suqian demo data loaded at start (embedded profile).</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    public bool Enabled { get; set; }
}

public static class DemoDataExtensions
{
    public static WebApplicationBuilder AddDemoData(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<DemoOptions>(builder.Configuration.GetSection(DemoOptions.SectionName));
        return builder;
    }
}
