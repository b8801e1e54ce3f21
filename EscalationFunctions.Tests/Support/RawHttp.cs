using System.Net.Sockets;
using System.Text;

namespace EscalationFunctions.Tests.Support;

/// <summary>
/// Sends hand-written HTTP/1.1 bytes over a plain socket, for requests <see cref="HttpClient"/> refuses
/// to produce (broken chunked framing). The request must say <c>Connection: close</c>: the answer is
/// read until the server closes the connection.
/// </summary>
public static class RawHttp
{
    public static async Task<(int Status, string? ContentType, string Body)> SendAsync(Uri server, string request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);

        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var text = Encoding.UTF8.GetString(received.ToArray());

        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headerEnd < 0)
        {
            throw new InvalidDataException($"Not an HTTP answer: '{text}'");
        }
        var lines = text[..headerEnd].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var contentType = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim())
            .FirstOrDefault();
        if (lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase)))
        {
            throw new NotSupportedException($"A chunked answer; this helper reads only plain bodies: '{text}'");
        }
        return (status, contentType, text[(headerEnd + 4)..]);
    }
}
