using System.Collections.Concurrent;
using Annotations.Citations;
using Annotations.Client;
using Annotations.Infrastructure;
using Annotations.Tests.Infrastructure;
using Marten;

namespace Annotations.Tests.Live;

public class CatchUpTests(AppFixture app) : IntegrationContext(app)
{
    private async Task<List<long>> DocumentChangesAsync(Guid documentId)
    {
        await using var session = Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        return events.Where(e => e.Data is IAnnotationEvent a and not CitationIdentified && a.DocumentId == documentId).Select(e => e.Sequence).ToList();
    }


    [Fact]
    public async Task A_late_joiner_gets_everything_it_missed_then_live_changes_with_no_gap_or_duplicate()
    {
        var alice = As("alice");
        for (var i = 0; i < 10; i++) await alice.AddHighlight(ImpossibleAllies.Id, i, i + 4);
        await alice.AddHighlight(RenaultKamaz.Id, 0, 4);

        // First session: catches up from the start, then goes away.
        var first = new ConcurrentQueue<LiveChange>();
        var subscription = new LiveSubscription(LiveClient.Build(Host, App.TokenFor("carol")), ImpossibleAllies.Id, 0, c => { first.Enqueue(c); return Task.CompletedTask; });
        await subscription.StartAsync();
        Assert.Equal(await DocumentChangesAsync(ImpossibleAllies.Id), first.Select(c => c.Sequence));
        Assert.Equal("HighlightAdded", first.First().EventType);
        Assert.Equal(1, first.First().State.GetProperty("version").GetInt32());
        var cursor = subscription.LastSequence;
        await subscription.DisposeAsync();

        // Missed while away.
        for (var i = 0; i < 10; i++) await alice.AddHighlight(ImpossibleAllies.Id, 20 + i, 30 + i);

        // Second session resumes from the cursor while writers keep going across the seam.
        var second = new ConcurrentQueue<LiveChange>();
        using var writing = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            var writer = As($"writer{w}");
            for (var i = 0; !writing.IsCancellationRequested && i < 40; i++)
                await writer.Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = i, end = i + 2 }, 201);
        })).ToList();
        await Task.Delay(30);
        await using var resumed = new LiveSubscription(LiveClient.Build(Host, App.TokenFor("carol")), ImpossibleAllies.Id, cursor, c => { second.Enqueue(c); return Task.CompletedTask; });
        await resumed.StartAsync();
        await Task.WhenAll(writers);

        var expected = (await DocumentChangesAsync(ImpossibleAllies.Id)).Where(s => s > cursor).ToList();
        await WaitUntil(() => second.Count >= expected.Count, $"got {second.Count} of {expected.Count} changes");
        await Task.Delay(200);
        var got = second.Select(c => c.Sequence).ToList();
        Assert.Equal(got.Count, got.Distinct().Count());
        Assert.Equal(expected, got.Order());
        Assert.All(second, c => Assert.Equal(ImpossibleAllies.Id, c.DocumentId));
    }

    [Fact]
    public async Task A_client_that_reconnects_catches_up_on_its_own()
    {
        var received = new ConcurrentQueue<LiveChange>();
        var connection = LiveClient.Build(Host, App.TokenFor("carol"));
        await using var subscription = new LiveSubscription(connection, RenaultKamaz.Id, 0, c => { received.Enqueue(c); return Task.CompletedTask; });
        await subscription.StartAsync();
        await As("alice").AddHighlight(RenaultKamaz.Id, 0, 4);
        await WaitUntil(() => received.Count == 1, "first change");

        await connection.StopAsync();
        await As("alice").AddHighlight(RenaultKamaz.Id, 5, 9);
        await As("alice").AddHighlight(RenaultKamaz.Id, 10, 14);
        await connection.StartAsync();
        await subscription.CatchUpAsync();
        await As("alice").AddHighlight(RenaultKamaz.Id, 15, 19);

        await WaitUntil(() => received.Count == 4, $"got {received.Count} of 4 changes");
        Assert.Equal(await DocumentChangesAsync(RenaultKamaz.Id), received.Select(c => c.Sequence));
    }
}
