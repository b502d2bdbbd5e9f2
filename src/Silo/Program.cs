using Microsoft.Extensions.Hosting;
using RuralCredit.Silo.Hosting;

// A silo on its own (no HTTP API). The embedded profile co-hosts the silo inside src/ApiHost instead.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering();
    silo.AddRuralCredit(builder.Configuration);
});
await builder.Build().RunAsync();
