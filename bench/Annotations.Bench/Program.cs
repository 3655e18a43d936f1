using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotations;
using Annotations.Bench;
using Annotations.Highlights;
using Annotations.History;
using Annotations.Infrastructure;
using Annotations.Live;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

// The whole benchmark suite: one command, an embedded PostgreSQL with fsync on, the server as a separate process on
// loopback, every figure next to a baseline measured in the same run. `--quick` shrinks the sizes for a smoke run.
var quick = args.Contains("--quick");
var outDir = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? Path.Combine(RepoRoot(), "bench", "results");
Directory.CreateDirectory(outDir);
var report = new Report(quick);
var total = Stopwatch.StartNew();

var folder = Path.Combine(Path.GetTempPath(), $"annotations-bench-{Guid.NewGuid():N}");
using var postgres = EmbeddedPostgres.Start(folder, durable: true);
try
{
    await using var server = await ServerProcess.StartAsync(postgres.ConnectionString);
    using var store = new DocumentStore(Setup.StoreOptionsFor(postgres.ConnectionString));
    await using var raw = NpgsqlDataSource.Create(postgres.ConnectionString);
    var document = await server.DocumentIdAsync("002_");
    report.Note($"Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024 / 1024 / 1024} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, PostgreSQL 15 with fsync on.");
    report.Memory("idle", server.WorkingSetMb);

    await WritePath(server, store, raw, document, report, quick);
    await LivePush(server, document, report, quick);
    await Feed(server, store, raw, report, quick);
    await Replay(server, store, report, quick);
}
finally
{
    postgres.Stop();
    Directory.Delete(folder, recursive: true);
}

report.Note($"Suite ran in {total.Elapsed.TotalMinutes:F1} minutes.");
await report.WriteAsync(outDir);
Console.WriteLine(report.Markdown());
return;

// 1. Annotations created per second over HTTP, against raw Npgsql inserts and raw Marten appends, same concurrency.
static async Task WritePath(ServerProcess server, IDocumentStore store, NpgsqlDataSource raw, Guid document, Report report, bool quick)
{
    await using (var create = raw.CreateCommand("create table if not exists bench_rows (id uuid primary key, data jsonb not null)"))
        await create.ExecuteNonQueryAsync();
    var sample = JsonSerializer.Serialize(new HighlightAdded(Guid.NewGuid(), document, new(10, 30), new("exact", "prefix", "suffix"), null, "label", [], "bench", DateTimeOffset.UtcNow));
    var perWriter = quick ? 50 : 250;

    foreach (var writers in new[] { 1, 4, 16, 64 })
    {
        var count = Math.Max(writers * perWriter / Math.Max(1, writers / 4), 200);
        using var http = server.Client("bench", writers + 4);
        var ours = await Run(writers, count, async i =>
        {
            using var response = await http.PostAsJsonAsync($"/documents/{document}/highlights", new { start = i % 5000, end = i % 5000 + 10 });
            response.EnsureSuccessStatusCode();
        });
        var npgsql = await Run(writers, count, async _ =>
        {
            await using var insert = raw.CreateCommand("insert into bench_rows (id, data) values ($1, $2::jsonb)");
            insert.Parameters.AddWithValue(Guid.NewGuid());
            insert.Parameters.AddWithValue(sample);
            await insert.ExecuteNonQueryAsync();
        });
        var marten = await Run(writers, count, async i =>
        {
            await using var session = store.LightweightSession();
            var id = Guid.CreateVersion7();
            session.Events.StartStream<Highlight>(id, new HighlightAdded(id, document, new(i % 5000, i % 5000 + 10), new("exact", "prefix", "suffix"), null, null, [], "bench", DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        });
        report.Write(writers, ours, npgsql, marten);
    }
}

static async Task<(double PerSecond, Latency Latency)> Run(int writers, int count, Func<int, Task> write)
{
    var latencies = new ConcurrentBag<double>();
    var next = -1;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var start = Stopwatch.GetTimestamp();
            await write(i);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    })));
    return (count / clock.Elapsed.TotalSeconds, Latency.Of(latencies));
}

// 2. From the HTTP response to receipt by every connected client, against a bare hub broadcast... measured from outside:
// the baseline is the HTTP round trip of a read, so the ratio says how much later than a response the push lands.
static async Task LivePush(ServerProcess server, Guid document, Report report, bool quick)
{
    var token = server.Token("bench");
    foreach (var clientCount in quick ? new[] { 1, 100 } : new[] { 1, 100, 1000 })
    {
        var arrivals = new ConcurrentDictionary<Guid, ConcurrentBag<long>>();
        var clients = new List<HubConnection>();
        for (var i = 0; i < clientCount; i += 50)
        {
            clients.AddRange(await Task.WhenAll(Enumerable.Range(i, Math.Min(50, clientCount - i)).Select(async _ =>
            {
                var connection = new HubConnectionBuilder()
                    .WithUrl(server.Url + AnnotationsHub.Path, o =>
                    {
                        o.Transports = HttpTransportType.WebSockets;
                        o.SkipNegotiation = true;
                        o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    })
                    .Build();
                connection.On<JsonElement>(AnnotationsHub.ChangeMethod, change =>
                {
                    var now = Stopwatch.GetTimestamp();
                    arrivals.GetOrAdd(change.GetProperty("annotationId").GetGuid(), _ => []).Add(now);
                });
                await connection.StartAsync();
                await connection.InvokeAsync("Join", document);
                return connection;
            })));
        }

        using var http = server.Client("bench");
        var writes = quick ? 50 : clientCount >= 1000 ? 100 : 300;
        var push = new List<double>();
        var roundTrip = new List<double>();
        for (var i = 0; i < writes; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync($"/documents/{document}/highlights", new { start = i, end = i + 10 });
            var responded = Stopwatch.GetTimestamp();
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
            while (!(arrivals.TryGetValue(id, out var bag) && bag.Count >= clientCount))
            {
                if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"a push reached {arrivals.GetValueOrDefault(id)?.Count ?? 0} of {clientCount} clients");
                await Task.Delay(1);
            }
            push.Add(Math.Max(0, Stopwatch.GetElapsedTime(responded, arrivals[id].Max()).TotalMilliseconds));
            roundTrip.Add(Stopwatch.GetElapsedTime(sent, responded).TotalMilliseconds);
        }

        if (clientCount >= 1000 || quick && clientCount == 100)
        {
            // 5. Memory under load: these clients connected while 64 writers hammer the server.
            using var writersHttp = server.Client("bench", 70);
            var peak = server.WorkingSetMb;
            var load = Run(64, quick ? 640 : 3200, async i => (await writersHttp.PostAsJsonAsync($"/documents/{document}/highlights", new { start = i % 5000, end = i % 5000 + 3 })).EnsureSuccessStatusCode());
            while (!load.IsCompleted)
            {
                peak = Math.Max(peak, server.WorkingSetMb);
                await Task.Delay(100);
            }
            await load;
            report.Memory($"{clientCount} clients connected, 64 writers", peak);
        }

        report.Live(clientCount, Latency.Of(push), Latency.Of(roundTrip));
        foreach (var c in clients) await c.DisposeAsync();
    }
}

// 3. Catching up from sequence 0 over HTTP pages and server-sent events, against a raw ordered SELECT.
static async Task Feed(ServerProcess server, IDocumentStore store, NpgsqlDataSource raw, Report report, bool quick)
{
    long existing;
    await using (var count = raw.CreateCommand("select count(*) from annotations.mt_events")) existing = (long)(await count.ExecuteScalarAsync())!;
    foreach (var target in quick ? new[] { 20_000 } : new[] { 100_000, 1_000_000 })
    {
        await AppendUntilAsync(store, target, existing);
        existing = Math.Max(existing, target);
        var last = await WaitForHighWaterAsync(server, raw);

        var rawClock = Stopwatch.StartNew();
        long rawRows = 0;
        await using (var select = raw.CreateCommand("select seq_id, type, data from annotations.mt_events order by seq_id"))
        await using (var reader = await select.ExecuteReaderAsync())
            while (await reader.ReadAsync()) { rawRows++; _ = reader.GetString(2); }
        var rawRate = rawRows / rawClock.Elapsed.TotalSeconds;

        using var http = server.Client("bench");
        var pageClock = Stopwatch.StartNew();
        long after = 0, paged = 0;
        while (after < last)
        {
            using var response = await http.GetAsync($"/feed?after={after}&limit=1000", HttpCompletionOption.ResponseHeadersRead);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            paged += page.GetProperty("events").GetArrayLength();
            after = page.GetProperty("next").GetInt64();
        }
        var pageRate = paged / pageClock.Elapsed.TotalSeconds;

        var sseClock = Stopwatch.StartNew();
        long streamed = 0;
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/feed/stream?after=0"))
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        using (var lines = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            long id = 0;
            while (id < last && await lines.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("id: ")) id = long.Parse(line.AsSpan(4));
                else if (line.StartsWith("data: ")) streamed++;
            }
        }
        var sseRate = streamed / sseClock.Elapsed.TotalSeconds;
        report.Feed(rawRows, rawRate, paged, pageRate, streamed, sseRate);
        await ProfileFeedPageAsync(store, raw, report, last);
    }
}

// Where a feed page's time goes, measured in this process with the server's own code, page by page.
static async Task ProfileFeedPageAsync(IDocumentStore store, NpgsqlDataSource raw, Report report, long last)
{
    var feed = new Annotations.Feed.FeedReader(store, raw);
    var documents = new HashSet<Guid>();
    await using (var session = store.QuerySession())
        documents.UnionWith(await session.Query<Annotations.Documents.Document>().Select(d => d.Id).ToListAsync());
    var viewer = new Annotations.Feed.FeedViewer(documents, "bench");
    var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
    const int pages = 20;
    double read = 0, load = 0, serialize = 0;
    for (var p = 0; p < pages; p++)
    {
        var after = last / pages * p;
        var clock = Stopwatch.StartNew();
        await using (var session = store.QuerySession())
            _ = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(1000).ToListAsync();
        load += clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var page = await feed.ReadAsync(after, 1000, Annotations.Feed.FeedFilter.None, viewer, CancellationToken.None);
        read += clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        _ = JsonSerializer.SerializeToUtf8Bytes(page, json);
        serialize += clock.Elapsed.TotalMilliseconds;
    }
    report.Note($"Profile of a feed page of 1,000 events ({last:N0} in the store), in-process: the server's FeedReader page (reading the events through Marten, " +
                $"high-water mark, visibility) {read / pages:F1} ms; the same events through Marten's LINQ {load / pages:F1} ms; writing the response JSON {serialize / pages:F1} ms.");
}

static async Task AppendUntilAsync(IDocumentStore store, long target, long existing)
{
    // Relabels on a few hundred highlights: 1,000 events a commit, the inline snapshot updated once per stream.
    var streams = new List<(Guid Id, Guid Document)>();
    await using (var session = store.QuerySession())
        streams.AddRange((await session.Query<Highlight>().Take(200).ToListAsync()).Select(h => (h.Id, h.DocumentId)));
    var batch = 0;
    for (var written = existing; written < target; written += 1000, batch++)
    {
        await using var session = store.LightweightSession();
        var (id, document) = streams[batch % streams.Count];
        session.Events.Append(id, Enumerable.Range(0, (int)Math.Min(1000, target - written))
            .Select(i => (object)new HighlightRelabelled(id, document, null, $"label {i}", [], "bench", DateTimeOffset.UtcNow)).ToArray());
        await session.SaveChangesAsync();
    }
}

static async Task<long> WaitForHighWaterAsync(ServerProcess server, NpgsqlDataSource raw)
{
    long last;
    await using (var max = raw.CreateCommand("select max(seq_id) from annotations.mt_events")) last = (long)(await max.ExecuteScalarAsync())!;
    while (true)
    {
        await using var mark = raw.CreateCommand("select last_seq_id from annotations.mt_event_progression where name = 'HighWaterMark'");
        if (await mark.ExecuteScalarAsync() is long m && m >= last) return last;
        await Task.Delay(200);
    }
}

// 4. Rebuilding projections from the events, and the as-of query over a big document, against an in-memory fold.
static async Task Replay(ServerProcess server, IDocumentStore store, Report report, bool quick)
{
    var annotations = quick ? 1_000 : 10_000;
    var events = quick ? 10_000 : 100_000;
    using var http = server.Client("bench");
    var text = string.Join("\n", Enumerable.Range(0, 4000).Select(i => $"Line {i} of a long document, written for the replay benchmark."));
    var document = (await (await http.PostAsJsonAsync("/documents", new { title = "Replay", text })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

    var ids = new List<Guid>();
    for (var i = 0; i < annotations; i += 500)
    {
        await using var session = store.LightweightSession();
        for (var j = i; j < Math.Min(annotations, i + 500); j++)
        {
            var id = Guid.CreateVersion7();
            ids.Add(id);
            session.Events.StartStream<Highlight>(id, new HighlightAdded(id, document, new(j % 200000, j % 200000 + 5), new("x", "", ""), null, $"h{j}", [], "bench", DateTimeOffset.UtcNow));
        }
        await session.SaveChangesAsync();
    }
    for (var i = annotations; i < events; i += 1000)
    {
        await using var session = store.LightweightSession();
        for (var j = i; j < Math.Min(events, i + 1000); j++)
        {
            var id = ids[j % ids.Count];
            session.Events.Append(id, new HighlightRelabelled(id, document, null, $"l{j}", [], "bench", DateTimeOffset.UtcNow));
        }
        await session.SaveChangesAsync();
    }
    var atSequence = await WaitForHighWaterAsync(server, NpgsqlDataSource.Create(store.Options.Tenancy.Default.Database.CreateConnection().ConnectionString));

    var asOf = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync($"/documents/{document}/annotations?atSequence={atSequence}");
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
        asOf.Add(clock.Elapsed.TotalMilliseconds);
    }

    // Baseline: the same events, already in memory, folded.
    IReadOnlyList<IEvent> loaded;
    var load = Stopwatch.StartNew();
    await using (var session = store.QuerySession())
        loaded = await DocumentEvents.LoadAsync(session, document, new Moment(atSequence, null), CancellationToken.None);
    var loadMs = load.Elapsed.TotalMilliseconds;
    var fold = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        var clock = Stopwatch.StartNew();
        _ = AnnotationFold.Fold(loaded);
        fold.Add(clock.Elapsed.TotalMilliseconds);
    }

    long totalEvents;
    await using (var session = store.QuerySession()) totalEvents = await session.Events.QueryAllRawEvents().CountAsync();
    using var daemon = await store.BuildProjectionDaemonAsync();
    var rebuild = Stopwatch.StartNew();
    await daemon.RebuildProjectionAsync<Highlight>(TimeSpan.FromMinutes(10), CancellationToken.None);
    var rebuildRate = totalEvents / rebuild.Elapsed.TotalSeconds;
    var foldAll = Stopwatch.StartNew();
    await using (var session = store.QuerySession())
    {
        var all = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        _ = AnnotationFold.Fold(all);
    }
    var foldAllRate = totalEvents / foldAll.Elapsed.TotalSeconds;

    report.Replay(annotations, loaded.Count, Latency.Of(asOf), Latency.Of(fold), loadMs, totalEvents, rebuildRate, foldAllRate);
}

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Annotations.sln"))) return dir.FullName;
    return Directory.GetCurrentDirectory();
}
