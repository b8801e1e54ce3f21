using System.Text;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Engine.Security;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// <c>sign</c>: signs an ops call so operators can make it from a shell. The key is read from an
/// environment variable (never from the command line, where it would land in shell history and
/// the process list); with <c>new,old</c> the new key signs.
/// <code>
/// sign [--secret-env OPS_HMAC_SECRET] [--body JSON | --body-file F] [--timestamp UNIX]
///      [--url URL] [--method POST] [--as NAME:ROLE] [--function-key-env NAME] [--bearer-env NAME]
/// </code>
/// Without <c>--url</c> it prints the two signature headers; with it, a ready curl command. A
/// function key or bearer token is referenced as <c>$NAME</c> in that command, never printed.
/// <c>--as</c> builds an <c>X-MS-CLIENT-PRINCIPAL</c> for local runs; in Azure, App Service
/// Authentication derives it from the bearer token instead.
/// </summary>
public static class SignCommand
{
    private const string Usage =
        "usage: sign [--secret-env OPS_HMAC_SECRET] [--body JSON | --body-file F] [--timestamp UNIX] " +
        "[--url URL] [--method POST] [--as NAME:ROLE] [--function-key-env NAME] [--bearer-env NAME]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (!TryParse(args, out var options, out var problem))
        {
            await Console.Error.WriteLineAsync($"sign: {problem}. {Usage}");
            return ExitCodes.Usage;
        }

        var secret = Environment.GetEnvironmentVariable(options.SecretEnv)?.Split(',')[0].Trim();
        if (string.IsNullOrEmpty(secret))
        {
            await Console.Error.WriteLineAsync($"sign: the environment variable {options.SecretEnv} is not set: expected the ops HMAC key ({SettingNames.OpsHmacSecret}).");
            return ExitCodes.BadConfiguration;
        }

        byte[] body;
        try
        {
            body = options.BodyFile is null ? Encoding.UTF8.GetBytes(options.Body) : await File.ReadAllBytesAsync(options.BodyFile);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"sign: cannot read --body-file: {e.Message}");
            return ExitCodes.Usage;
        }
        if (body.Length > OpsRequest.MaxBodyBytes)
        {
            await Console.Error.WriteLineAsync($"sign: the body is {body.Length} bytes; the endpoints accept at most {OpsRequest.MaxBodyBytes}.");
            return ExitCodes.Usage;
        }

        var timestamp = options.Timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var headers = new List<(string Name, string Value)>
        {
            (HmacRequestSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (HmacRequestSignature.SignatureHeader, HmacRequestSignature.Sign(secret, timestamp, body)),
        };
        if (options.As is { } principal)
        {
            headers.Add((ClientPrincipal.Header, ClientPrincipal.Encode(principal.Name, [principal.Role])));
        }

        if (options.Url is null)
        {
            foreach (var (name, value) in headers)
            {
                Console.WriteLine($"{name}: {value}");
            }
            return ExitCodes.Ok;
        }

        var curl = new StringBuilder($"curl -sS -X {options.Method} {Quote(options.Url)} -H 'Content-Type: application/json'");
        foreach (var (name, value) in headers)
        {
            curl.Append($" -H {Quote($"{name}: {value}")}");
        }
        if (options.FunctionKeyEnv is { } keyEnv)
        {
            curl.Append($" -H \"{FunctionKeyCheck.Header}: ${{{keyEnv}%%,*}}\"");
        }
        if (options.BearerEnv is { } bearerEnv)
        {
            curl.Append($" -H \"Authorization: Bearer ${bearerEnv}\"");
        }
        curl.Append(options.BodyFile is null ? $" --data-binary {Quote(options.Body)}" : $" --data-binary @{Quote(options.BodyFile)}");
        Console.WriteLine(curl);
        return ExitCodes.Ok;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private sealed record Options
    {
        public string SecretEnv { get; set; } = SettingNames.OpsHmacSecret;
        // A fresh id by default: the same body signed twice in one second is the same signature, and a replay.
        public string Body { get; set; } = $$"""{"requestId":"{{Guid.NewGuid()}}"}""";
        public string? BodyFile { get; set; }
        public long? Timestamp { get; set; }
        public string? Url { get; set; }
        public string Method { get; set; } = "POST";
        public (string Name, string Role)? As { get; set; }
        public string? FunctionKeyEnv { get; set; }
        public string? BearerEnv { get; set; }
    }

    private static bool TryParse(string[] args, out Options options, out string problem)
    {
        options = new Options();
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            if (i + 1 >= args.Length)
            {
                problem = $"{flag} needs a value";
                return false;
            }
            var value = args[++i];
            switch (flag)
            {
                case "--secret-env": options.SecretEnv = value; break;
                case "--body": options.Body = value; break;
                case "--body-file": options.BodyFile = value; break;
                case "--url": options.Url = value; break;
                case "--method": options.Method = value.ToUpperInvariant(); break;
                case "--function-key-env": options.FunctionKeyEnv = value; break;
                case "--bearer-env": options.BearerEnv = value; break;
                case "--timestamp" when long.TryParse(value, out var ts): options.Timestamp = ts; break;
                case "--as" when value.Split(':') is [var name, var role] && name.Length > 0 && role.Length > 0:
                    options.As = (name, role);
                    break;
                default:
                    problem = $"'{flag} {value}' is not understood";
                    return false;
            }
        }
        return true;
    }
}
