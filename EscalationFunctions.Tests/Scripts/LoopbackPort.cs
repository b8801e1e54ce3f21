using System.Net.Sockets;

namespace EscalationFunctions.Tests.Scripts;

/// <summary>Whether something listens on a loopback port: how the script tests see that a worker or a database was (not) started.</summary>
public static class LoopbackPort
{
    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
