using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace RuralCredit.Tests.Infrastructure;

/// <summary>A host whose silo runs <see cref="Filter"/> on every incoming grain call (fault and timing tests).</summary>
public class CallFilterApiFactory<TFilter> : CreditApiFactory
    where TFilter : class, IIncomingGrainCallFilter, new()
{
    public TFilter Filter { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IIncomingGrainCallFilter>(Filter));
    }
}
