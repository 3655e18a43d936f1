using System.Text.Json;
using Annotations.Citations;
using Annotations.Comments;
using Annotations.Highlights;
using Annotations.History;
using Annotations.Tests.Infrastructure;
using Marten;

namespace Annotations.Tests.History;

public class RevertTests(AppFixture app) : IntegrationContext(app)
{
    private async Task<IReadOnlyList<object>> EventsOf(Guid stream)
    {
        await using var session = Store.QuerySession();
        return (await session.Events.FetchStreamAsync(stream)).Select(e => e.Data).ToList();
    }

    [Fact]
    public async Task Reverting_an_edited_comment_gives_it_its_old_text_back_without_rewriting_history()
    {
        var alice = As("alice");
        var c = await alice.AddComment(ImpossibleAllies.Id, new { start = 0, end = 5, body = "What Roberts argues" });
        await alice.Patch($"/comments/{c.Id()}", new { body = "What Roberts argues, roughly" }, 200);
        await alice.Patch($"/comments/{c.Id()}", new { body = "spam spam spam" }, 200);

        var history = (await As("rita").Post($"/annotations/{c.Id()}/revert", new { toVersion = 1, reason = "Restore the original wording" }, 200)).ReadAsJson<JsonElement>();

        var current = await alice.GetJson($"/comments/{c.Id()}");
        Assert.Equal(("What Roberts argues", 5), (current.Str("body"), current.Version()));
        var events = await EventsOf(c.Id());
        Assert.Equal(new[] { typeof(CommentAdded), typeof(CommentEdited), typeof(CommentEdited), typeof(CommentEdited), typeof(CommentReverted) }, events.Select(e => e.GetType()));
        var revert = (CommentReverted)events[^1];
        Assert.Equal((1, "Restore the original wording", "rita"), (revert.ToVersion, revert.Reason, revert.By));
        Assert.Equal("rita", ((CommentEdited)events[3]).By);
        Assert.Equal("CommentReverted", history.GetProperty("events")[4].Str("eventType"));
    }

    [Fact]
    public async Task Reverting_a_retracted_highlight_brings_it_back_with_its_old_label()
    {
        var alice = As("alice");
        var h = await alice.AddHighlight(ImpossibleAllies.Id, 10, 20, new { label = "keep", tags = new[] { "a" } });
        await alice.Patch($"/highlights/{h.Id()}", new { label = "changed", tags = new[] { "b" } }, 200);
        await alice.Delete($"/highlights/{h.Id()}", 200);

        await As("rob").Post($"/annotations/{h.Id()}/revert", new { toVersion = 1 }, 200);

        var layer = await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations");
        var back = layer.GetProperty("highlights").EnumerateArray().Single();
        Assert.Equal(("keep", "a"), (back.Str("label"), back.GetProperty("tags")[0].GetString()));
        Assert.Equal(new[] { typeof(HighlightRestored), typeof(HighlightRelabelled), typeof(HighlightReverted) }, (await EventsOf(h.Id())).Skip(3).Select(e => e.GetType()));
    }

    [Fact]
    public async Task Reverting_a_citation_puts_back_the_correction_accepted_then()
    {
        var footnote = (await As("alice").GetJson($"/documents/{ImpossibleAllies.Id}/citations"))[8];
        var id = footnote.Id();
        var first = (await As("alice").Post($"/citations/{id}/proposals", new { correctedText = "First fix." }, 201)).ReadAsJson<JsonElement>().GetProperty("openProposals")[0].Id();
        var accepted = (await As("rita").Post($"/citations/{id}/proposals/{first}/accept", new { reason = "ok" }, 200)).ReadAsJson<JsonElement>().Version();
        var second = (await As("bob").Post($"/citations/{id}/proposals", new { correctedText = "Second fix." }, 201)).ReadAsJson<JsonElement>().GetProperty("openProposals")[0].Id();
        await As("rob").Post($"/citations/{id}/proposals/{second}/accept", new { reason = "better" }, 200);

        await As("rita").Post($"/annotations/{id}/revert", new { toVersion = accepted }, 200);

        var citation = await As("alice").GetJson($"/citations/{id}");
        Assert.Equal(("First fix.", first), (citation.Str("currentText"), citation.GetProperty("acceptedProposal").Id()));
        await using var session = Store.QuerySession();
        Assert.Equal(ProposalStatus.Superseded, (await session.LoadAsync<Citation>(id))!.Proposal(second)!.Status);

        await As("rita").Post($"/annotations/{id}/revert", new { toVersion = 1 }, 200);
        Assert.Equal(footnote.Str("originalText"), (await As("alice").GetJson($"/citations/{id}")).Str("currentText"));
    }

    [Fact]
    public async Task Bad_reverts_get_problems_and_store_nothing()
    {
        var alice = As("alice");
        var h = await alice.AddHighlight(ImpossibleAllies.Id, 10, 20, new { label = "x" });
        await alice.Patch($"/highlights/{h.Id()}", new { label = "y" }, 200);
        var before = await EventCountAsync();

        await As("alice").Post($"/annotations/{h.Id()}/revert", new { toVersion = 1 }, 403);
        await As("rita").Post($"/annotations/{h.Id()}/revert", new { toVersion = 2 }, 400);
        await As("rita").Post($"/annotations/{h.Id()}/revert", new { toVersion = 0 }, 400);
        await As("rita").Post($"/annotations/{h.Id()}/revert", new { }, 400);
        await As("rita").Post($"/annotations/{h.Id()}/revert", new { toVersion = 1 }, 412, s => s.WithRequestHeader("If-Match", "\"1\""));
        await As("rita").Post($"/annotations/{Guid.NewGuid()}/revert", new { toVersion = 1 }, 404);
        await As("rita").Post($"/annotations/{RenaultKamaz.Id}/revert", new { toVersion = 1 }, 404);
        await AssertRejectedAsync($"/annotations/{h.Id()}/revert", """{"toVersion": "one"}""", 400);
        Assert.Equal(before, await EventCountAsync());

        await As("rita").Post($"/annotations/{h.Id()}/revert", new { toVersion = 1 }, 200);
        await alice.Patch($"/highlights/{h.Id()}", new { label = "x" }, 200);
        // Version 1 and now read the same label: nothing to revert.
        await As("rita").Post($"/annotations/{h.Id()}/revert", new { toVersion = 1 }, 422);
    }

    [Fact]
    public async Task All_of_one_authors_changes_in_a_window_are_reverted_as_one_command()
    {
        var alice = As("alice");
        var mallory = As("mallory");
        var good = await alice.AddHighlight(ImpossibleAllies.Id, 10, 20, new { label = "good" });
        var alicesComment = await alice.AddComment(ImpossibleAllies.Id, new { highlightId = good.Id(), body = "Sound point." });
        var mallorysOldComment = await mallory.AddComment(ImpossibleAllies.Id, new { start = 0, end = 4, body = "A fair remark." });
        await Task.Delay(50);
        var from = DateTimeOffset.UtcNow;
        await Task.Delay(50);

        var junk = new List<Guid>();
        for (var i = 0; i < 3; i++) junk.Add((await mallory.AddHighlight(ImpossibleAllies.Id, 100 + i, 110 + i, new { label = "junk" })).Id());
        junk.Add((await mallory.AddComment(ImpossibleAllies.Id, new { parentCommentId = alicesComment.Id(), body = "junk reply" })).Id());
        await mallory.Patch($"/comments/{mallorysOldComment.Id()}", new { body = "defaced" }, 200);
        await Task.Delay(50);
        var to = DateTimeOffset.UtcNow;

        var before = (await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations"));
        Assert.Equal(4, before.GetProperty("highlights").GetArrayLength());

        var reverted = (await As("rita").Post($"/documents/{ImpossibleAllies.Id}/revert-author",
            new { author = "mallory", from, to, reason = "Vandalism" }, 200)).ReadAsJson<JsonElement>();

        Assert.Equal(5, reverted.GetArrayLength());
        var layer = await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations");
        var highlight = layer.GetProperty("highlights").EnumerateArray().Single();
        Assert.Equal(good.Id(), highlight.Id());
        var thread = highlight.GetProperty("comments").EnumerateArray().Single();
        Assert.Equal(("Sound point.", 0), (thread.Str("body"), thread.GetProperty("replies").GetArrayLength()));
        Assert.Equal("A fair remark.", (await alice.GetJson($"/comments/{mallorysOldComment.Id()}")).Str("body"));
        foreach (var id in junk)
        {
            var last = (await alice.GetJson($"/annotations/{id}/history")).GetProperty("events").EnumerateArray().Last();
            Assert.Contains(last.Str("eventType"), new[] { "HighlightReverted", "CommentReverted" });
            Assert.True(last.GetProperty("stateAfter").GetProperty("retracted").GetBoolean());
        }

        await As("rita").Post($"/documents/{ImpossibleAllies.Id}/revert-author", new { author = "mallory", from, to }, 422);
        await As("bob").Post($"/documents/{ImpossibleAllies.Id}/revert-author", new { author = "mallory", from, to }, 403);
        await As("rita").Post($"/documents/{ImpossibleAllies.Id}/revert-author", new { author = "mallory", from = to, to = from }, 400);
    }
}
