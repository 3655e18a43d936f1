using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Annotations;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Live;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

// Live push latency: time from the HTTP response of a write to its receipt by every connected SignalR client, over
// real Kestrel and WebSockets on loopback, against a durable (fsync on) embedded PostgreSQL. Baseline in the same
// run: a bare IHubContext broadcast of the same message to the same clients, with no database and no HTTP.
var writes = args.Length > 0 ? int.Parse(args[0]) : 300;
int[] clientCounts = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : [1, 100];

var folder = Path.Combine(Path.GetTempPath(), $"annotations-bench-{Guid.NewGuid():N}");
using var postgres = EmbeddedPostgres.Start(folder, durable: true);
try
{
    var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    var builder = WebApplication.CreateBuilder(["--Auth:SigningKey=" + key]);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.AddAnnotations(postgres.ConnectionString, soloNode: true);
    var app = builder.Build();
    app.UseAnnotations();
    await app.StartAsync();
    var baseUrl = app.Urls.First();

    var token = new TokenSettings { SigningKey = key }.Mint("bench");
    using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    var documents = await http.GetFromJsonAsync<JsonElement>("/documents");
    var documentId = documents[0].GetProperty("id").GetGuid();
    var hub = app.Services.GetRequiredService<IHubContext<AnnotationsHub>>();

    var report = new StringBuilder();
    report.AppendLine($"Live push latency, {writes} sequential writes per row, {Environment.ProcessorCount} cores, PostgreSQL fsync on, loopback WebSockets.");
    report.AppendLine();
    report.AppendLine("| clients | path | p50 ms | p99 ms | max ms | p99 ratio to baseline |");
    report.AppendLine("|---:|---|---:|---:|---:|---:|");

    foreach (var clientCount in clientCounts)
    {
        var arrivals = new ConcurrentDictionary<string, ConcurrentBag<long>>();
        var clients = new List<HubConnection>();
        for (var i = 0; i < clientCount; i++)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(new Uri(baseUrl), AnnotationsHub.Path), o =>
                {
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                })
                .Build();
            connection.On<JsonElement>(AnnotationsHub.ChangeMethod, change =>
            {
                var now = Stopwatch.GetTimestamp();
                arrivals.GetOrAdd(change.GetProperty("annotationId").GetString()!, _ => []).Add(now);
            });
            await connection.StartAsync();
            await connection.InvokeAsync("Join", documentId);
            clients.Add(connection);
        }

        async Task<long> AwaitAll(string id)
        {
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
            while (!(arrivals.TryGetValue(id, out var bag) && bag.Count >= clientCount))
            {
                if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"push of {id} did not reach all clients");
                await Task.Yield();
            }
            return arrivals[id].Max();
        }

        // Baseline: the bare broadcast, timed from the call to the last client's receipt.
        var baseline = new List<double>();
        for (var i = 0; i < writes; i++)
        {
            var id = Guid.NewGuid().ToString();
            var start = Stopwatch.GetTimestamp();
            await hub.Clients.Group(AnnotationsHub.GroupOf(documentId)).SendAsync(AnnotationsHub.ChangeMethod,
                new LiveChange(documentId, Guid.Parse(id), "highlight", "Baseline", null, "bench", DateTimeOffset.UtcNow, 1, 0));
            baseline.Add(Stopwatch.GetElapsedTime(start, await AwaitAll(id)).TotalMilliseconds);
        }

        // Ours: from the moment the HTTP response is in hand to the last client's receipt (0 if the push came first).
        var ours = new List<double>();
        for (var i = 0; i < writes; i++)
        {
            var response = await http.PostAsJsonAsync($"/documents/{documentId}/highlights", new { start = i % 1000, end = i % 1000 + 10 });
            var responded = Stopwatch.GetTimestamp();
            response.EnsureSuccessStatusCode();
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var last = await AwaitAll(id);
            ours.Add(Math.Max(0, Stopwatch.GetElapsedTime(responded, last).TotalMilliseconds));
        }

        var b99 = Percentile(baseline, 0.99);
        report.AppendLine($"| {clientCount} | bare hub broadcast (baseline) | {Percentile(baseline, 0.5):F2} | {b99:F2} | {baseline.Max():F2} | 1.00 |");
        report.AppendLine($"| {clientCount} | HTTP write → push (ours) | {Percentile(ours, 0.5):F2} | {Percentile(ours, 0.99):F2} | {ours.Max():F2} | {Percentile(ours, 0.99) / b99:F2} |");

        foreach (var c in clients) await c.DisposeAsync();
    }

    Console.WriteLine(report);
    var results = Path.Combine(AppContext.BaseDirectory, "live-latency.md");
    await File.WriteAllTextAsync(results, report.ToString());
    await app.StopAsync();
}
finally
{
    postgres.Stop();
    Directory.Delete(folder, recursive: true);
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
