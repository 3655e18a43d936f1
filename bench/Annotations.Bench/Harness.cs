using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Annotations.Identity;

namespace Annotations.Bench;

/// <summary>Latency figures of one series, in milliseconds.</summary>
public sealed record Latency(double P50, double P99, double Max)
{
    public static Latency Of(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        double At(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new Latency(At(0.5), At(0.99), sorted.Length == 0 ? 0 : sorted[^1]);
    }
}

/// <summary>The server under test as a separate process on a loopback port, so its memory is its own.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    public string Url { get; }
    public string SigningKey { get; }

    private ServerProcess(Process process, string url, string signingKey)
    {
        _process = process;
        Url = url;
        SigningKey = signingKey;
    }

    public static async Task<ServerProcess> StartAsync(string connectionString)
    {
        var dll = LocateServer();
        var port = FreePort();
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var info = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["ConnectionStrings__Annotations"] = connectionString;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["Auth__SigningKey"] = key;
        info.Environment["Workspaces__DefaultOwner"] = "bench";
        info.Environment["RateLimits__WritesPerMinute"] = "100000000";
        info.Environment["Wolverine__Solo"] = "true";
        info.Environment["Webhooks__Dispatch"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();

        var server = new ServerProcess(process, $"http://127.0.0.1:{port}", key);
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"The server exited with {process.ExitCode}.");
            try
            {
                if ((await http.GetAsync(server.Url + "/health")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The server did not start.");
            await Task.Delay(200);
        }
    }

    public string Token(string user) => new TokenSettings { SigningKey = SigningKey }.Mint(user, TimeSpan.FromHours(4));

    public HttpClient Client(string user, int connections = 256)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(user));
        return http;
    }

    /// <summary>Resident memory of the server process, from /proc.</summary>
    public double WorkingSetMb
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64 / 1024.0 / 1024.0;
        }
    }

    public async Task<Guid> DocumentIdAsync(string sourceFilePrefix)
    {
        using var http = Client("bench");
        var documents = await http.GetFromJsonAsync<JsonElement>("/documents");
        return documents.EnumerateArray().First(d => d.GetProperty("sourceFileName").GetString()!.StartsWith(sourceFilePrefix)).GetProperty("id").GetGuid();
    }

    private static string LocateServer()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "Annotations", "bin", configuration, "net10.0", "Annotations.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new FileNotFoundException("src/Annotations was not built; run the benchmark with dotnet run so it is.");
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
