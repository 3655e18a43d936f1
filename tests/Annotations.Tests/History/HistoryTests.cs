using System.Text.Json;
using Annotations.Tests.Infrastructure;
using Marten;

namespace Annotations.Tests.History;

public class HistoryTests(AppFixture app) : IntegrationContext(app)
{
    private async Task<long> LastSequenceAsync()
    {
        await using var session = Store.QuerySession();
        return await session.Events.QueryAllRawEvents().MaxAsync(e => e.Sequence);
    }

    private Task<JsonElement> LayerAt(long sequence) => As("rita").GetJson($"/documents/{ImpossibleAllies.Id}/annotations?atSequence={sequence}");

    private static IEnumerable<string?> Labels(JsonElement layer) =>
        layer.GetProperty("highlights").EnumerateArray().Select(h => h.GetProperty("label").GetString());

    [Fact]
    public async Task The_history_of_an_annotation_lists_every_event_with_the_state_after_it()
    {
        var alice = As("alice");
        var h = await alice.AddHighlight(ImpossibleAllies.Id, 10, 20, new { label = "first" });
        await alice.Patch($"/highlights/{h.Id()}", new { label = "second" }, 200);
        await alice.Delete($"/highlights/{h.Id()}?reason=duplicate", 200);

        var history = await As("bob").GetJson($"/annotations/{h.Id()}/history");

        Assert.Equal(("highlight", ImpossibleAllies.Id), (history.Str("annotationType"), history.GetProperty("documentId").GetGuid()));
        var events = history.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(new[] { "HighlightAdded", "HighlightRelabelled", "HighlightRetracted" }, events.Select(e => e.Str("eventType")));
        Assert.Equal(new[] { 1, 2, 3 }, events.Select(e => e.GetProperty("version").GetInt32()));
        Assert.All(events, e => Assert.Equal("alice", e.Str("author")));
        Assert.Equal(new[] { "first", "second", "second" }, events.Select(e => e.GetProperty("stateAfter").Str("label")));
        Assert.True(events[2].GetProperty("stateAfter").GetProperty("retracted").GetBoolean());
        Assert.Equal("duplicate", events[2].GetProperty("event").Str("reason"));
        var sequences = events.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);

        await As("bob").Get($"/annotations/{Guid.NewGuid()}/history", 404);
        await As("bob").Get($"/annotations/{ImpossibleAllies.Id}/history", 404);
    }

    [Fact]
    public async Task The_layer_as_of_past_moments_is_replayed_from_the_events()
    {
        var alice = As("alice");
        var bob = As("bob");
        var start = await LastSequenceAsync();

        var a = await alice.AddHighlight(ImpossibleAllies.Id, 10, 20, new { label = "a1" });
        var afterA = await LastSequenceAsync();
        var c = await bob.AddComment(ImpossibleAllies.Id, new { highlightId = a.Id(), body = "Original remark" });
        var b = await bob.AddHighlight(ImpossibleAllies.Id, 5, 8, new { label = "b1" });
        var afterComment = await LastSequenceAsync();
        await alice.Patch($"/highlights/{a.Id()}", new { label = "a2" }, 200);
        await bob.Patch($"/comments/{c.Id()}", new { body = "Edited remark" }, 200);
        var afterEdits = await LastSequenceAsync();
        await alice.Delete($"/highlights/{a.Id()}", 200);
        var footnote = (await alice.GetJson($"/documents/{ImpossibleAllies.Id}/citations"))[16].Id();
        await alice.Post($"/citations/{footnote}/proposals", new { correctedText = "New Times, no. 31 (1954), pp. 4-8." }, 201);

        Assert.Empty((await LayerAt(start)).GetProperty("highlights").EnumerateArray());
        Assert.Equal(new[] { "a1" }, Labels(await LayerAt(afterA)));

        var middle = await LayerAt(afterComment);
        Assert.Equal(new[] { "b1", "a1" }, Labels(middle));
        Assert.Equal("Original remark", middle.GetProperty("highlights")[1].GetProperty("comments")[0].Str("body"));

        var edited = await LayerAt(afterEdits);
        Assert.Equal(new[] { "b1", "a2" }, Labels(edited));
        Assert.Equal("Edited remark", edited.GetProperty("highlights")[1].GetProperty("comments")[0].Str("body"));
        Assert.Empty(edited.GetProperty("corrections").EnumerateArray());

        // Replayed from the events, the present equals the live read model.
        var replayedNow = await LayerAt(await LastSequenceAsync());
        var live = await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations");
        Assert.Equal(live.GetRawText(), replayedNow.GetRawText());
        Assert.Equal(new[] { "b1" }, Labels(live));
        Assert.Equal(17, live.GetProperty("corrections").EnumerateArray().Single().GetProperty("number").GetInt32());

        // By time: the moment of an event includes that event.
        var history = await alice.GetJson($"/annotations/{b.Id()}/history");
        var at = history.GetProperty("events")[0].GetProperty("at").GetDateTimeOffset();
        var byTime = await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations?asOf={Uri.EscapeDataString(at.ToString("O"))}");
        Assert.Contains("b1", Labels(byTime));
    }

    [Theory]
    [InlineData("asOf=2999-01-01T00:00:00Z")]
    [InlineData("asOf=last%20tuesday")]
    [InlineData("asOf=12")]
    [InlineData("atSequence=-3")]
    [InlineData("atSequence=99999999")]
    [InlineData("atSequence=abc")]
    [InlineData("atSequence=1&asOf=2020-01-01T00:00:00Z")]
    public async Task Bad_moments_get_problem_details(string query)
    {
        var result = await As("rita").Get($"/documents/{ImpossibleAllies.Id}/annotations?{query}", 400);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
    }

    [Fact]
    public async Task Changes_between_two_moments_list_what_was_added_changed_and_retracted()
    {
        var alice = As("alice");
        var kept = await alice.AddHighlight(ImpossibleAllies.Id, 10, 20, new { label = "before" });
        var dropped = await alice.AddHighlight(ImpossibleAllies.Id, 30, 40);
        var from = await LastSequenceAsync();
        await alice.Patch($"/highlights/{kept.Id()}", new { label = "after" }, 200);
        await alice.Delete($"/highlights/{dropped.Id()}", 200);
        var added = await alice.AddComment(ImpossibleAllies.Id, new { start = 1, end = 4, body = "New" });
        var to = await LastSequenceAsync();
        await alice.AddHighlight(ImpossibleAllies.Id, 50, 60);

        var changes = await As("rita").GetJson($"/documents/{ImpossibleAllies.Id}/changes?from={from}&to={to}");

        Assert.Equal(new[] { added.Id() }, changes.GetProperty("added").EnumerateArray().Select(x => x.Id()));
        var changed = changes.GetProperty("changed").EnumerateArray().Single();
        Assert.Equal((kept.Id(), "before", "after"), (changed.GetProperty("annotationId").GetGuid(), changed.GetProperty("before").Str("label"), changed.GetProperty("after").Str("label")));
        Assert.Equal(new[] { dropped.Id() }, changes.GetProperty("retracted").EnumerateArray().Select(x => x.Id()));

        await As("rita").Get($"/documents/{ImpossibleAllies.Id}/changes?from={to}&to={from}", 400);
        await As("rita").Get($"/documents/{ImpossibleAllies.Id}/changes", 400);
        await As("rita").Get($"/documents/{Guid.NewGuid()}/changes?from=1", 404);
    }

    [Fact]
    public async Task The_timeline_pages_newest_first_and_filters_by_author_and_type()
    {
        var alice = As("alice");
        var h = await alice.AddHighlight(ImpossibleAllies.Id, 10, 20);
        for (var i = 0; i < 4; i++) await alice.Patch($"/highlights/{h.Id()}", new { label = $"l{i}" }, 200);
        await As("bob").AddComment(ImpossibleAllies.Id, new { highlightId = h.Id(), body = "Hi" });

        var byAlice = await As("rita").GetJson($"/documents/{ImpossibleAllies.Id}/timeline?author=alice&pageSize=2&page=1");
        Assert.Equal(5, byAlice.GetProperty("total").GetInt32());
        var items = byAlice.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(new[] { 5, 4 }, items.Select(i => i.GetProperty("version").GetInt32()));
        Assert.All(items, i => Assert.Equal(("alice", "HighlightRelabelled"), (i.Str("author"), i.Str("eventType"))));

        var lastPage = await As("rita").GetJson($"/documents/{ImpossibleAllies.Id}/timeline?author=alice&pageSize=2&page=3");
        Assert.Equal("HighlightAdded", lastPage.GetProperty("items").EnumerateArray().Single().Str("eventType"));

        var oldestComments = await As("rita").GetJson($"/documents/{ImpossibleAllies.Id}/timeline?order=oldest&type=CommentAdded");
        Assert.Equal("bob", oldestComments.GetProperty("items").EnumerateArray().Single().Str("author"));

        var all = await As("rita").GetJson($"/documents/{ImpossibleAllies.Id}/timeline?order=oldest&pageSize=200");
        Assert.Equal("CitationIdentified", all.GetProperty("items")[0].Str("eventType"));
        await As("rita").Get($"/documents/{ImpossibleAllies.Id}/timeline?pageSize=1000", 400);
        await As("rita").Get($"/documents/{ImpossibleAllies.Id}/timeline?order=sideways", 400);
    }
}
