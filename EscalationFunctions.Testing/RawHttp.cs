using System.Net.Sockets;
using System.Text;

namespace EscalationFunctions.Testing;

/// <summary>
/// Sends hand-written HTTP/1.1 bytes over a plain socket, for requests <see cref="HttpClient"/> refuses
/// to produce (broken chunked framing, raw bytes in headers, any method). The request must say
/// <c>Connection: close</c>: the answer is read until the server closes the connection.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, IReadOnlyList<(string Name, string Value)> Headers, string Body)
    {
        public string? Header(string name) =>
            Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

        public string? ContentType => Header("Content-Type");
    }

    /// <summary>
    /// The bytes of one request with <c>Connection: close</c> and a <c>Content-Length</c>: the target (ASCII)
    /// is sent exactly as given, with no normalisation of <c>%2E</c> or dot segments as <see cref="Uri"/>
    /// does; header values as Latin-1 bytes.
    /// </summary>
    public static byte[] Request(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body = null)
    {
        var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"));
        foreach (var (name, value) in headers)
        {
            request.Write(Encoding.Latin1.GetBytes($"{name}: {value}\r\n"));
        }
        request.Write(Encoding.ASCII.GetBytes($"Content-Length: {body?.Length ?? 0}\r\n\r\n"));
        request.Write(body ?? []);
        return request.ToArray();
    }

    public static async Task<(int Status, string? ContentType, string Body)> SendAsync(Uri server, string request)
    {
        var answer = await SendAsync(server, Encoding.ASCII.GetBytes(request));
        return (answer.Status, answer.ContentType, answer.Body);
    }

    /// <summary>Sends the bytes and reads the first answer; status 0 when the server closed without one.</summary>
    public static async Task<Answer> SendAsync(Uri server, byte[] request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, timeout.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (a refused large body).
        }

        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // A reset after the answer: keep what arrived.
        }
        var bytes = received.ToArray();
        if (bytes.Length == 0)
        {
            return new Answer(0, [], "");
        }
        var text = Encoding.Latin1.GetString(bytes);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headerEnd < 0)
        {
            throw new InvalidDataException($"Not an HTTP answer: '{text}'");
        }
        var lines = text[..headerEnd].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .Select(p => (p[0].Trim(), p[1].Trim()))
            .ToList();
        var body = bytes.AsSpan(headerEnd + 4);
        if (headers.Any(h => h.Item1.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
        {
            throw new NotSupportedException($"A chunked answer; this helper reads only plain bodies: '{text}'");
        }
        if (headers.FirstOrDefault(h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Item2 is { } length &&
            int.TryParse(length, out var contentLength) && contentLength < body.Length)
        {
            body = body[..contentLength]; // a second answer (to bytes left over from the request) is not ours
        }
        return new Answer(status, headers, Encoding.UTF8.GetString(body));
    }
}
