using System.CommandLine;
using System.Text;
using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// <c>sign</c>: signs an ops call so operators can make it from a shell. The key is read from an
/// environment variable (never from the command line, where it would land in shell history and
/// the process list); with <c>new,old</c> the new key signs.
/// Without <c>--url</c> it prints the two signature headers; with it, a ready curl command. A
/// function key or bearer token is referenced as <c>$NAME</c> in that command, never printed.
/// <c>--as</c> builds an <c>X-MS-CLIENT-PRINCIPAL</c> for local runs; in Azure, App Service
/// Authentication derives it from the bearer token instead.
/// </summary>
public static class SignCommand
{
    public static Command Create()
    {
        // Every value is checked while parsing, before anything is printed: a name that becomes $NAME in the
        // curl command, the method and the URL all end up in a line that ops-call.sh evaluates.
        const string envName = "an environment variable name (letters, digits and _, not starting with a digit)";
        var secretEnv = CliOptions.Create("--secret-env", $"{envName}, e.g. {SettingNames.OpsHmacSecret}",
            (string text, out string value) => CliOptions.IsEnvironmentName(value = text));
        secretEnv.Description = "Environment variable holding the HMAC key; with 'new,old' the new key signs.";
        secretEnv.HelpName = "NAME";
        secretEnv.DefaultValueFactory = _ => SettingNames.OpsHmacSecret;
        var maxBody = $"at most {RouteTable.MaxOpsBodyBytes} bytes, what the endpoints accept";
        var body = CliOptions.Create("--body", $"a JSON body of {maxBody}",
            (string text, out string? value) => Encoding.UTF8.GetByteCount(value = text) <= RouteTable.MaxOpsBodyBytes);
        body.Description = "The JSON body to sign (default: {\"requestId\":\"<new guid>\"}).";
        body.HelpName = "JSON";
        var bodyFile = CliOptions.Create("--body-file", $"a readable file of {maxBody}",
            (string text, out string? value) => File.Exists(value = text) && new FileInfo(text).Length <= RouteTable.MaxOpsBodyBytes);
        bodyFile.Description = "Sign this file's bytes as the body.";
        bodyFile.HelpName = "FILE";
        const long maxUnix = 253_402_300_799; // 9999-12-31T23:59:59Z, the last second DateTimeOffset holds
        var timestamp = CliOptions.Create("--timestamp", $"a whole number of Unix seconds from 0 to {maxUnix}",
            (string text, out long? value) =>
            {
                var ok = long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                         && seconds <= maxUnix;
                value = ok ? seconds : null;
                return ok;
            });
        timestamp.Description = "Unix seconds to sign with (default: now).";
        timestamp.HelpName = "UNIX";
        var url = CliOptions.Create("--url", "an absolute http:// or https:// URL, e.g. http://127.0.0.1:7071/ops/escalation/tick",
            (string text, out string? value) => CliOptions.IsHttpUrl(value = text));
        url.Description = "Print a ready curl command for this URL instead of the two headers.";
        url.HelpName = "URL";
        var method = CliOptions.Create("--method", "an HTTP method, letters only, e.g. GET or POST",
            (string text, out string value) => CliOptions.IsHttpMethod(value = text));
        method.Description = "HTTP method of the curl command.";
        method.HelpName = "METHOD";
        method.DefaultValueFactory = _ => "POST";
        var @as = CliOptions.Create<(string Name, string Role)?>("--as", "NAME:ROLE, e.g. alice:ops_admin",
            (string text, out (string Name, string Role)? value) =>
            {
                value = text.Split(':') is [var name, var role] && name.Length > 0 && role.Length > 0 ? (name, role) : null;
                return value is not null;
            });
        @as.Description = "Add an X-MS-CLIENT-PRINCIPAL for a local worker (OPS_TRUST_PRINCIPAL_HEADER=true), e.g. alice:ops_admin.";
        @as.HelpName = "NAME:ROLE";
        var functionKeyEnv = CliOptions.Create("--function-key-env", $"{envName}, e.g. OPS_FUNCTION_KEY",
            (string text, out string? value) => CliOptions.IsEnvironmentName(value = text));
        functionKeyEnv.Description = "Environment variable holding the function key; the curl command sends $NAME, never the key.";
        functionKeyEnv.HelpName = "NAME";
        var bearerEnv = CliOptions.Create("--bearer-env", $"{envName}, e.g. OPS_TOKEN",
            (string text, out string? value) => CliOptions.IsEnvironmentName(value = text));
        bearerEnv.Description = "Environment variable holding a bearer token for App Service Authentication; sent as $NAME.";
        bearerEnv.HelpName = "NAME";

        var sign = new Command("sign", "Sign an ops call (tick, recalc): print its two signature headers, or with --url a ready curl command. " +
                                       "The key is read from an environment variable, never from the command line.")
        {
            secretEnv, body, bodyFile, timestamp, url, method, @as, functionKeyEnv, bearerEnv,
        };
        sign.Validators.Add(result =>
        {
            if (result.GetResult(body) is not null && result.GetResult(bodyFile) is not null)
            {
                result.AddError("give --body or --body-file, not both.");
            }
        });
        sign.SetAction((parsed, _) => RunAsync(new Options
        {
            SecretEnv = parsed.GetValue(secretEnv)!,
            // A fresh id by default: the same body signed twice in one second is the same signature, and a replay.
            Body = parsed.GetValue(body) ?? $$"""{"requestId":"{{Guid.NewGuid()}}"}""",
            BodyFile = parsed.GetValue(bodyFile),
            Timestamp = parsed.GetValue(timestamp),
            Url = parsed.GetValue(url),
            Method = parsed.GetValue(method)!.ToUpperInvariant(),
            As = parsed.GetValue(@as),
            FunctionKeyEnv = parsed.GetValue(functionKeyEnv),
            BearerEnv = parsed.GetValue(bearerEnv),
        }));
        return sign;
    }

    private static async Task<int> RunAsync(Options options)
    {
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"sign: cannot read --body-file: {e.Message}");
            return ExitCodes.Usage;
        }
        if (body.Length > RouteTable.MaxOpsBodyBytes)
        {
            await Console.Error.WriteLineAsync($"sign: the body is {body.Length} bytes; the endpoints accept at most {RouteTable.MaxOpsBodyBytes}.");
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

        var curl = new StringBuilder($"curl -sS -X {Quote(options.Method)} {Quote(options.Url)} -H 'Content-Type: application/json'");
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
        public required string SecretEnv { get; init; }
        public required string Body { get; init; }
        public string? BodyFile { get; init; }
        public long? Timestamp { get; init; }
        public string? Url { get; init; }
        public required string Method { get; init; }
        public (string Name, string Role)? As { get; init; }
        public string? FunctionKeyEnv { get; init; }
        public string? BearerEnv { get; init; }
    }
}
