using System.Net;
using System.Net.Sockets;

namespace RuralCredit.Tests.Infrastructure;

/// <summary>
/// Ports for the hosts and silos the tests start, handed out once each per test run and taken below the kernel's
/// ephemeral range (32768–60999 on Linux): a port found free by binding to port 0 lies in that range, and between its
/// release and the host binding it an outgoing connection (a PostgreSQL pool, a silo-to-silo link) can take it —
/// seen in CI as "address already in use" for an API host of a fault test.
/// </summary>
public static class TestPorts
{
    private const int First = 20_000;
    private const int Last = 32_000;
    private static readonly Lock Gate = new();
    private static int s_next = First + Random.Shared.Next(Last - First);

    /// <summary>A port no listener holds now, not handed out before in this run.</summary>
    public static int Free()
    {
        lock (Gate)
        {
            for (var tried = 0; tried < Last - First; tried++)
            {
                var port = s_next;
                s_next = s_next + 1 >= Last ? First : s_next + 1;
                if (CanBind(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free TCP port between {First} and {Last}");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
