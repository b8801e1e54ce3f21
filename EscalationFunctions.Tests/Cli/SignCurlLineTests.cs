using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Scripts;

namespace EscalationFunctions.Tests.Cli;

/// <summary>
/// The curl command <c>sign --url</c> prints is evaluated by a shell (<c>scripts/ops-call.sh</c> does):
/// every value in it stays one quoted word, whatever quotes and <c>$(…)</c> it holds, and a key is
/// referenced as <c>$NAME</c>, never printed.
/// </summary>
[Lane(TestLane.Process)]
public class SignCurlLineTests
{
    [Fact]
    public async Task Every_value_in_the_printed_curl_command_reaches_curl_as_one_word_and_runs_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("esc-sign-");
        try
        {
            const string url = "http://127.0.0.1:1/ops/escalation/tick?x='$(touch%20pwned-url)'&y=`touch`";
            const string body = """{"reason":"it's '$(touch pwned-body)' `touch pwned-tick` \"quoted\""}""";
            var (exit, curl, stderr) = await ServerProcess.RunToExitAsync(new() { [SettingNames.OpsHmacSecret] = "k3y-0123456789abcdef0123456789abcdef" },
                ["sign", "--url", url, "--body", body, "--method", "put", "--as", "o'brien$(touch pwned-as):ops_admin",
                 "--function-key-env", "FK", "--timestamp", "1700000000"]);
            Assert.True(exit == 0, stderr);
            Assert.DoesNotContain("function-key-value", curl);

            // A stand-in curl that prints each argument it gets on a line of its own.
            var (runExit, words, runErr) = await ShellRun.RunAsync(dir.FullName, "curl() { printf '<%s>\\n' \"$@\"; }\n" + curl.Trim(),
                new Dictionary<string, string?> { ["FK"] = "function-key-value,old-key" });

            Assert.True(runExit == 0, runErr);
            Assert.Empty(dir.EnumerateFileSystemInfos()); // no pwned-* file: nothing in a value ran
            var args = words.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(w => w[1..^1]).ToList();
            Assert.Equal("PUT", args[args.IndexOf("-X") + 1]);
            Assert.Contains(url, args);
            Assert.Equal(body, args[args.IndexOf("--data-binary") + 1]);
            Assert.Contains("x-functions-key: function-key-value", args);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
