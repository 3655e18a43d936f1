using System.Text.Json;
using Annotations.Comments;
using Annotations.Tests.Infrastructure;
using Marten;

namespace Annotations.Tests.Comments;

public class CommentTests(AppFixture app) : IntegrationContext(app)
{
    [Fact]
    public async Task Threads_of_any_depth_appear_under_their_highlight_ordered_by_position()
    {
        var alice = As("alice");
        var bob = As("bob");
        var later = await alice.AddHighlight(ImpossibleAllies.Id, 200, 240);
        var earlier = await alice.AddHighlight(ImpossibleAllies.Id, 20, 60, new { label = "opening" });

        var root = await alice.AddComment(ImpossibleAllies.Id, new { highlightId = earlier.Id(), body = "Is this claim sourced?" });
        var reply = await bob.AddComment(ImpossibleAllies.Id, new { parentCommentId = root.Id(), body = "Footnote 1, Santamaria." });
        var deeper = await alice.AddComment(ImpossibleAllies.Id, new { parentCommentId = reply.Id(), body = "Thanks, checked." });
        var onRange = await bob.AddComment(ImpossibleAllies.Id, new { start = 5, end = 12, body = "Typo here?" });

        var layer = await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations");

        var highlights = layer.GetProperty("highlights").EnumerateArray().ToList();
        Assert.Equal(new[] { earlier.Id(), later.Id() }, highlights.Select(h => h.Id()));
        var thread = highlights[0].GetProperty("comments").EnumerateArray().Single();
        Assert.Equal(root.Id(), thread.Id());
        var level2 = thread.GetProperty("replies").EnumerateArray().Single();
        Assert.Equal(("bob", "Footnote 1, Santamaria."), (level2.Str("author"), level2.Str("body")));
        Assert.Equal(deeper.Id(), level2.GetProperty("replies").EnumerateArray().Single().Id());
        Assert.Empty(highlights[1].GetProperty("comments").EnumerateArray());

        var rangeComment = layer.GetProperty("rangeComments").EnumerateArray().Single();
        Assert.Equal(onRange.Id(), rangeComment.GetProperty("thread").Id());
        Assert.Equal(ImpossibleAllies.Text.Substring(5, 7), rangeComment.GetProperty("quote").Str("exact"));
    }

    [Fact]
    public async Task Commenting_on_a_retracted_highlight_is_rejected()
    {
        var alice = As("alice");
        var h = await alice.AddHighlight(ImpossibleAllies.Id, 0, 10);
        await alice.Delete($"/highlights/{h.Id()}", 200);
        var before = await EventCountAsync();

        var result = await As("bob").Post($"/documents/{ImpossibleAllies.Id}/comments", new { highlightId = h.Id(), body = "Too late" }, 409);

        Assert.Contains("retracted", result.ReadAsJson<JsonElement>().Str("detail"));
        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task A_highlight_of_another_document_is_no_anchor()
    {
        var h = await As("alice").AddHighlight(RenaultKamaz.Id, 0, 10);
        await As("alice").Post($"/documents/{ImpossibleAllies.Id}/comments", new { highlightId = h.Id(), body = "Wrong doc" }, 422);
        await As("alice").Post($"/documents/{ImpossibleAllies.Id}/comments", new { parentCommentId = Guid.NewGuid(), body = "No parent" }, 422);
    }

    public static TheoryData<string, int> BadComments => new()
    {
        { """{"body": ""}""", 400 },
        { """{"start": 1, "end": 5, "body": "   \n "}""", 400 },
        { """{"start": 1, "end": 5}""", 400 },
        { """{"start": 1, "end": 5, "body": "two anchors", "parentCommentId": "6f1c1e8a-2b7e-4a55-9d3c-3f2b1e0c9a11"}""", 400 },
        { """{"start": 1, "end": 5, "body": 42}""", 400 },
        { """{"start": 5, "end": 1, "body": "backwards"}""", 400 },
        { """{"start": 1, "end": 5, "exact": "nope", "body": "mismatch"}""", 422 },
    };

    [Theory]
    [MemberData(nameof(BadComments))]
    public async Task Bad_comments_get_problem_details_and_store_nothing(string json, int status)
    {
        await AssertRejectedAsync($"/documents/{ImpossibleAllies.Id}/comments", json, status);
    }

    [Fact]
    public async Task A_body_is_stored_verbatim_and_may_be_exactly_ten_thousand_characters()
    {
        var alice = As("alice");
        const string markup = "<script>alert('x')</script> & <b>bold</b>\n  indented 😀";
        var c = await alice.AddComment(ImpossibleAllies.Id, new { start = 0, end = 3, body = markup });
        Assert.Equal(markup, (await alice.GetJson($"/comments/{c.Id()}")).Str("body"));

        var longest = string.Concat(Enumerable.Repeat("😀", CommentRules.MaxBody));
        await alice.AddComment(ImpossibleAllies.Id, new { start = 0, end = 3, body = longest });
        var before = await EventCountAsync();
        await alice.Post($"/documents/{ImpossibleAllies.Id}/comments", new { start = 0, end = 3, body = longest + "x" }, 400);
        await alice.Patch($"/comments/{c.Id()}", new { body = longest + "x" }, 400);
        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task Only_the_author_edits_or_retracts_a_comment()
    {
        var c = await As("alice").AddComment(ImpossibleAllies.Id, new { start = 0, end = 3, body = "Mine" });
        var before = await EventCountAsync();
        await As("bob").Patch($"/comments/{c.Id()}", new { body = "Hijacked" }, 403);
        await As("bob").Delete($"/comments/{c.Id()}", 403);
        Assert.Equal(before, await EventCountAsync());

        var edited = (await As("alice").Patch($"/comments/{c.Id()}", new { body = "Mine, edited" }, 200)).ReadAsJson<JsonElement>();
        Assert.Equal(("Mine, edited", 2, 1), (edited.Str("body"), edited.Version(), edited.GetProperty("edits").GetInt32()));
    }

    [Fact]
    public async Task Concurrent_edits_of_one_comment_give_exactly_one_success()
    {
        var alice = As("alice");
        var c = await alice.AddComment(ImpossibleAllies.Id, new { start = 0, end = 3, body = "v1" });

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            alice.Patch($"/comments/{c.Id()}", new { body = $"edit {i}" }, extra: s => s.WithRequestHeader("If-Match", "\"1\""))));

        var statuses = attempts.Select(a => a.Context.Response.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.All(statuses.Where(s => s != 200), s => Assert.Contains(s, new[] { 409, 412 }));

        var winner = attempts.Single(a => a.Context.Response.StatusCode == 200).ReadAsJson<JsonElement>().Str("body");
        var current = await alice.GetJson($"/comments/{c.Id()}");
        Assert.Equal((winner, 2), (current.Str("body"), current.Version()));
        await using var session = Store.QuerySession();
        Assert.Equal(2, (await session.Events.FetchStreamAsync(c.Id())).Count);
    }

    [Fact]
    public async Task Simultaneous_edits_without_If_Match_never_lose_an_update()
    {
        var alice = As("alice");
        var c = await alice.AddComment(ImpossibleAllies.Id, new { start = 0, end = 3, body = "v1" });

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => alice.Patch($"/comments/{c.Id()}", new { body = $"edit {i}" })));

        var succeeded = attempts.Where(a => a.Context.Response.StatusCode == 200).ToList();
        Assert.All(attempts, a => Assert.Contains(a.Context.Response.StatusCode, new[] { 200, 409 }));
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(c.Id());
        // Every 200 is an edit in the stream: none was overwritten by another.
        Assert.Equal(1 + succeeded.Count, events.Count);
        Assert.Equal(succeeded.Select(s => s.ReadAsJson<JsonElement>().Version()).Order(), Enumerable.Range(2, succeeded.Count));
    }

    [Fact]
    public async Task A_retracted_comment_with_replies_stays_as_a_tombstone()
    {
        var alice = As("alice");
        var root = await alice.AddComment(ImpossibleAllies.Id, new { start = 0, end = 3, body = "Root" });
        await As("bob").AddComment(ImpossibleAllies.Id, new { parentCommentId = root.Id(), body = "Reply" });
        var lonely = await alice.AddComment(ImpossibleAllies.Id, new { start = 10, end = 13, body = "Lonely" });

        await alice.Delete($"/comments/{root.Id()}", 200);
        await alice.Delete($"/comments/{lonely.Id()}", 200);
        await As("bob").Post($"/documents/{ImpossibleAllies.Id}/comments", new { parentCommentId = root.Id(), body = "Reply to retracted" }, 409);

        var threads = (await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations")).GetProperty("rangeComments").EnumerateArray().ToList();
        var tombstone = threads.Single().GetProperty("thread");
        Assert.True(tombstone.GetProperty("retracted").GetBoolean());
        Assert.Equal(JsonValueKind.Null, tombstone.GetProperty("body").ValueKind);
        Assert.Equal("Reply", tombstone.GetProperty("replies").EnumerateArray().Single().Str("body"));
    }

    [Fact]
    public async Task Every_change_is_an_event_with_its_author_and_time()
    {
        var alice = As("alice");
        var c = await alice.AddComment(ImpossibleAllies.Id, new { start = 0, end = 3, body = "v1" });
        await alice.Patch($"/comments/{c.Id()}", new { body = "v2" }, 200);
        await alice.Delete($"/comments/{c.Id()}", 200);

        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(c.Id());
        Assert.Equal(new[] { typeof(CommentAdded), typeof(CommentEdited), typeof(CommentRetracted) }, events.Select(e => e.EventType));
        Assert.Equal("v1", ((CommentAdded)events[0].Data).Body);
        Assert.Equal("v2", ((CommentEdited)events[1].Data).Body);
        Assert.All(events.Select(e => e.Data).Cast<Annotations.Infrastructure.IAnnotationEvent>(), e =>
        {
            Assert.Equal("alice", e.By);
            Assert.True(DateTimeOffset.UtcNow - e.At < TimeSpan.FromMinutes(1));
        });
    }
}
