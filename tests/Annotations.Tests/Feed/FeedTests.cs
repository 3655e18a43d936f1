using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Annotations.Client;
using FeedReader = Annotations.Feed.FeedReader;
using HighWaterSignal = Annotations.Feed.HighWaterSignal;
using FeedEvent = Annotations.Client.FeedEvent;
using Annotations.Tests.Infrastructure;
using Marten;

namespace Annotations.Tests.Feed;

public class FeedTests(AppFixture app) : IntegrationContext(app)
{
    /// <summary>The domain events as the table holds them, in sequence order: what a complete reader must see.</summary>
    private async Task<List<long>> StoredSequencesAsync()
    {
        await using var session = Store.QuerySession();
        var all = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        return all.Where(e => FeedReader.ToFeedEvent(e) is not null).Select(e => e.Sequence).ToList();
    }

    private async Task<long> WaitForHighWaterAsync(long sequence)
    {
        var signal = Host.Services.GetRequiredService<HighWaterSignal>();
        Assert.True(await signal.WaitBeyondAsync(sequence - 1, TimeSpan.FromSeconds(30), CancellationToken.None), "the high-water mark never reached the last event");
        return signal.Current;
    }

    private async Task<long> LastStoredAsync() => (await StoredSequencesAsync()).Last();

    private async Task<List<FeedEvent>> ReadAllAsync(AnnotationsClient client, long after, int limit, Guid? document = null, string[]? types = null)
    {
        var result = new List<FeedEvent>();
        while (true)
        {
            var page = await client.GetFeedAsync(after, limit, 0, document, types);
            result.AddRange(page.Events);
            if (page.Next == after) return result;
            after = page.Next;
        }
    }

    [Fact]
    public async Task The_feed_pages_through_every_change_in_order_and_resumes_from_any_cursor()
    {
        var alice = As("alice");
        for (var i = 0; i < 12; i++) await alice.AddHighlight(ImpossibleAllies.Id, i, i + 5);
        await WaitForHighWaterAsync(await LastStoredAsync());
        var stored = await StoredSequencesAsync();

        var client = App.ClientFor("indexer");
        var all = await ReadAllAsync(client, 0, 7);
        Assert.Equal(stored, all.Select(e => e.Sequence));
        Assert.Equal("DocumentImported", all[0].EventType);
        Assert.False(all[0].Data.TryGetProperty("text", out _));

        foreach (var cursor in new[] { stored[3], stored[stored.Count / 2], stored[^2] })
            Assert.Equal(stored.Where(s => s > cursor), (await ReadAllAsync(client, cursor, 5)).Select(e => e.Sequence));
        Assert.Empty(await ReadAllAsync(client, stored[^1], 5));
    }

    [Fact]
    public async Task The_feed_filters_by_document_and_event_type()
    {
        var h = await As("alice").AddHighlight(RenaultKamaz.Id, 0, 5);
        await As("alice").Patch($"/highlights/{h.Id()}", new { label = "x" }, 200);
        await As("alice").AddHighlight(ImpossibleAllies.Id, 0, 5);
        await WaitForHighWaterAsync(await LastStoredAsync());
        var client = App.ClientFor("indexer");

        var renault = await ReadAllAsync(client, 0, 50, RenaultKamaz.Id);
        Assert.All(renault, e => Assert.Equal(RenaultKamaz.Id, e.DocumentId));
        Assert.Equal(new[] { "HighlightAdded", "HighlightRelabelled" }, renault.Where(e => e.AnnotationType == "highlight").Select(e => e.EventType));

        var added = await ReadAllAsync(client, 0, 50, null, ["HighlightAdded"]);
        Assert.Equal(2, added.Count);
    }

    [Fact]
    public async Task A_long_poll_returns_as_soon_as_a_change_is_published()
    {
        var mark = await WaitForHighWaterAsync(await LastStoredAsync());
        var client = App.ClientFor("indexer");

        var stopwatch = Stopwatch.StartNew();
        var poll = client.GetFeedAsync(mark, 10, waitSeconds: 20);
        await Task.Delay(300);
        Assert.False(poll.IsCompleted);
        var h = await As("alice").AddHighlight(ImpossibleAllies.Id, 0, 5);
        var page = await poll;
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(h.Id(), page.Events.Single().StreamId);

        var empty = await client.GetFeedAsync(page.Next, 10, waitSeconds: 1);
        Assert.Empty(empty.Events);
        Assert.Equal(page.Next, empty.Next);
    }

    [Theory]
    [InlineData("after=-1")]
    [InlineData("limit=0")]
    [InlineData("limit=5000")]
    [InlineData("wait=120")]
    [InlineData("document=not-a-guid")]
    public async Task Bad_feed_requests_get_problem_details(string query) =>
        await As("indexer").Get($"/feed?{query}", 400);

    [Fact]
    public async Task Eight_concurrent_writers_and_a_following_reader_see_no_gap_and_no_duplicate()
    {
        var reader = App.ClientFor("indexer");
        var received = new ConcurrentQueue<long>();
        using var stop = new CancellationTokenSource();
        var cursor = new MemoryCursorStore();
        var following = new FeedFollower(reader, cursor).FollowAsync((e, _) => { received.Enqueue(e.Sequence); return Task.CompletedTask; }, stop.Token, waitSeconds: 2);

        // Writers add highlights and comments on both documents and race each other to edit shared comments, so
        // transactions commit out of sequence order and some roll back.
        var shared = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => As("alice").AddComment(ImpossibleAllies.Id, new { start = i, end = i + 3, body = "shared" })));
        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async w =>
        {
            var writer = As($"writer{w}");
            var document = w % 2 == 0 ? ImpossibleAllies.Id : RenaultKamaz.Id;
            for (var i = 0; i < 130; i++)
            {
                var result = i % 5 == 4
                    ? await As("alice").Patch($"/comments/{shared[i % 4].Id()}", new { body = $"edit {w}/{i}" })
                    : await writer.Post($"/documents/{document}/highlights", new { start = i, end = i + 10 });
                if (result.Context.Response.StatusCode == 409) Interlocked.Increment(ref conflicts);
                else Assert.Contains(result.Context.Response.StatusCode, new[] { 200, 201 });
            }
        }));

        var last = await LastStoredAsync();
        await WaitForHighWaterAsync(last);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await cursor.LoadAsync(default) < last && DateTime.UtcNow < deadline) await Task.Delay(50);
        await stop.CancelAsync();
        await following;

        var stored = await StoredSequencesAsync();
        var got = received.ToList();
        Assert.True(stored.Count > 1000, $"only {stored.Count} events were written");
        Assert.True(conflicts > 0, "no append was rolled back: the run did not exercise gaps");
        Console.WriteLine($"feed gap test: {stored.Count} events, {conflicts} rolled-back appends");
        Assert.Equal(got.Count, got.Distinct().Count());
        Assert.Equal(stored, got);
    }

    [Fact]
    public async Task Server_sent_events_resume_after_the_last_event_id_and_send_heartbeats()
    {
        for (var i = 0; i < 5; i++) await As("alice").AddHighlight(ImpossibleAllies.Id, i, i + 5);
        var stored = await StoredSequencesAsync();
        await WaitForHighWaterAsync(stored[^1]);

        async Task<List<(long Id, JsonElement Data)>> ReadAsync(Action<HttpRequestMessage> configure, int count, bool expectHeartbeat = false)
        {
            using var http = Host.Server.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/feed/stream");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", App.TokenFor("indexer"));
            configure(request);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            var events = new List<(long, JsonElement)>();
            long id = 0;
            var heartbeat = false;
            while (events.Count < count || expectHeartbeat && !heartbeat)
            {
                var line = await lines.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException();
                if (line.StartsWith("id: ")) id = long.Parse(line[4..]);
                if (line.StartsWith("data: ")) events.Add((id, JsonDocument.Parse(line[6..]).RootElement));
                if (line == ": heartbeat") heartbeat = true;
            }
            return events;
        }

        var first = await ReadAsync(r => r.RequestUri = new Uri($"/feed/stream?after={stored[^6]}", UriKind.Relative), 3);
        Assert.Equal(stored.Skip(stored.Count - 5).Take(3), first.Select(e => e.Id));
        Assert.All(first, e => Assert.Equal(e.Id, e.Data.GetProperty("sequence").GetInt64()));

        var resumed = await ReadAsync(r => r.Headers.Add("Last-Event-ID", first[^1].Id.ToString()), 2, expectHeartbeat: true);
        Assert.Equal(stored.TakeLast(2), resumed.Select(e => e.Id));
    }
}
