using System.Net;
using Orleans.Runtime;

namespace RuralCredit.Tests.Infrastructure;

/// <summary>Silo addresses for tests of membership-driven logic (partition owners, region wake-up).</summary>
internal static class TestSilos
{
    public static readonly SiloAddress A = SiloAddress.New(IPAddress.Loopback, 11111, 1);
    public static readonly SiloAddress B = SiloAddress.New(IPAddress.Loopback, 11112, 1);
    public static readonly SiloAddress C = SiloAddress.New(IPAddress.Loopback, 11113, 1);
}
