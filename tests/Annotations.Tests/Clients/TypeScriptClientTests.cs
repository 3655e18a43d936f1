using System.Diagnostics;
using System.Text.RegularExpressions;
using Annotations.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Xunit.Abstractions;

namespace Annotations.Tests.Clients;

/// <summary>
/// Runs the TypeScript client's own tests (Node's test runner) against a real server on a loopback port, so
/// `dotnet test` covers both clients.
/// </summary>
public class TypeScriptClientTests(AppFixture app, ITestOutputHelper output) : IntegrationContext(app)
{
    private static string PackageFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "clients", "typescript");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
        }
        throw new DirectoryNotFoundException("clients/typescript was not found above the test folder.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string folder, string command, IDictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("sh", ["-c", command]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` did not finish within {timeout}.");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task The_TypeScript_client_passes_its_tests_against_a_running_server()
    {
        var builder = WebApplication.CreateBuilder(["--Auth:SigningKey=" + AppFixture.SigningKey, "--Webhooks:Dispatch=false"]);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddAnnotations(TestDatabase.ConnectionString, soloNode: true);
        await using var server = builder.Build();
        server.UseAnnotations();
        await server.StartAsync();

        var folder = PackageFolder();
        var environment = new Dictionary<string, string>
        {
            ["ANNOTATIONS_URL"] = server.Urls.First(),
            ["ANNOTATIONS_TOKEN"] = App.TokenFor("alice"),
            ["ANNOTATIONS_TOKEN_2"] = App.TokenFor("indexer"),
        };

        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            var install = await RunAsync(folder, "npm ci --no-audit --no-fund", environment, TimeSpan.FromMinutes(5));
            Assert.True(install.ExitCode == 0, install.Output);
        }
        var (exitCode, text) = await RunAsync(folder, "npm test", environment, TimeSpan.FromMinutes(5));
        output.WriteLine(text);

        Assert.True(exitCode == 0, text);
        Assert.Equal("0", Regex.Match(text, @"ℹ fail (\d+)").Groups[1].Value);
        Assert.Equal("4", Regex.Match(text, @"ℹ pass (\d+)").Groups[1].Value);
        await server.StopAsync();
    }
}
