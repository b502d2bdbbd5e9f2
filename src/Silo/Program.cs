using Microsoft.Extensions.Hosting;
using RuralCredit.Silo.Hosting;

namespace RuralCredit.Silo;

/// <summary>A silo on its own (no HTTP API). The embedded profile co-hosts the silo inside src/ApiHost instead.</summary>
public static class SiloProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            silo.AddRuralCredit(builder.Configuration);
        });
        await builder.Build().RunAsync();
    }
}
