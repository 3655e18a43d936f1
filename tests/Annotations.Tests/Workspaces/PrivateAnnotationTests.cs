using System.Text.Json;
using Annotations.Tests.Infrastructure;
using Marten.Events;

namespace Annotations.Tests.Workspaces;

/// <summary>A private annotation is its author's alone on every surface, until they share it.</summary>
public class PrivateAnnotationTests(AppFixture app) : IntegrationContext(app)
{
    private const string Secret = "my private reading of this passage";

    private static bool Mentions(JsonElement json, Guid id, string text) =>
        json.GetRawText().Contains(id.ToString()) || json.GetRawText().Contains(text);

    [Fact]
    public async Task A_private_annotation_never_reaches_anyone_else_on_any_surface()
    {
        await using var bobsViewer = await LiveClient.ConnectAsync(Host, App.TokenFor("bob"));
        await using var alicesViewer = await LiveClient.ConnectAsync(Host, App.TokenFor("alice"));
        await bobsViewer.JoinAsync(ImpossibleAllies.Id);
        await alicesViewer.JoinAsync(ImpossibleAllies.Id);

        var alice = As("alice");
        var start = (await App.ClientFor("bob").GetFeedAsync(0, 1000)).HighWaterMark;
        var highlight = (await alice.Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 10, end = 20, label = Secret, visibility = "private" }, 201)).ReadAsJson<JsonElement>();
        var comment = (await alice.Post($"/documents/{ImpossibleAllies.Id}/comments", new { highlightId = highlight.Id(), body = Secret, visibility = "private" }, 201)).ReadAsJson<JsonElement>();
        await alice.Patch($"/highlights/{highlight.Id()}", new { label = Secret + " (edited)" }, 200);
        var footnote = (await alice.GetJson($"/documents/{ImpossibleAllies.Id}/citations"))[0].Id();
        var proposal = (await As("carol").Post($"/citations/{footnote}/proposals", new { correctedText = "Fixed." }, 201)).ReadAsJson<JsonElement>().GetProperty("openProposals")[0].Id();
        var onProposal = (await alice.Post($"/documents/{ImpossibleAllies.Id}/comments", new { citationId = footnote, proposalId = proposal, body = Secret, visibility = "private" }, 201)).ReadAsJson<JsonElement>();
        var team = (await As("bob").Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 30, end = 40, label = "team note" }, 201)).ReadAsJson<JsonElement>();
        await WaitForFeedAsync();

        // Alice sees her own private notes.
        Assert.True(Mentions(await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations"), highlight.Id(), Secret));
        Assert.Equal(highlight.Id(), alicesViewer.Next().GetProperty("annotationId").GetGuid()); // her own private change reached her
        var bob = As("bob");
        var bobsClient = App.ClientFor("bob");

        // Bob sees none of it, anywhere.
        Assert.False(Mentions(await bob.GetJson($"/documents/{ImpossibleAllies.Id}/annotations"), highlight.Id(), Secret));
        Assert.False(Mentions(await bob.GetJson($"/documents/{ImpossibleAllies.Id}/annotations?atSequence={(await bobsClient.GetFeedAsync(0, 1)).HighWaterMark}"), highlight.Id(), Secret));
        Assert.False(Mentions(await bob.GetJson($"/documents/{ImpossibleAllies.Id}/changes?from={start}"), highlight.Id(), Secret));
        Assert.False(Mentions(await bob.GetJson($"/documents/{ImpossibleAllies.Id}/timeline?pageSize=200"), highlight.Id(), Secret));
        Assert.False(Mentions(await bob.GetJson($"/citations/{footnote}"), onProposal.Id(), Secret));
        Assert.False(Mentions(await bob.GetJson($"/documents/{ImpossibleAllies.Id}/citations"), onProposal.Id(), Secret));
        await bob.Get($"/highlights/{highlight.Id()}", 404);
        await bob.Get($"/comments/{comment.Id()}", 404);
        await bob.Get($"/annotations/{highlight.Id()}/history", 404);
        await bob.Post($"/documents/{ImpossibleAllies.Id}/comments", new { highlightId = highlight.Id(), body = "can I see it?" }, 422);
        await As("rita").Post($"/annotations/{highlight.Id()}/revert", new { toVersion = 1 }, 404);
        var documents = await bob.GetJson("/documents");
        Assert.Equal(1, documents.EnumerateArray().Single(d => d.Id() == ImpossibleAllies.Id).GetProperty("highlights").GetInt32());

        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var activity = await bob.GetJson($"/documents/{ImpossibleAllies.Id}/activity");
        Assert.False(activity.GetProperty("changesByAuthor").TryGetProperty("alice", out _), "alice's private work counts nowhere");
        Assert.Equal(1, activity.GetProperty("highlightsAdded").GetInt32());
        Assert.False(activity.TryGetProperty("privateAnnotations", out _));

        var feed = await bobsClient.GetFeedAsync(start, 1000);
        Assert.DoesNotContain(feed.Events, e => e.StreamId == highlight.Id() || e.StreamId == comment.Id() || e.StreamId == onProposal.Id());
        Assert.Contains(feed.Events, e => e.StreamId == team.Id());

        // Live: bob's first change is bob's own team highlight, never alice's private ones.
        var bobsFirst = bobsViewer.Next();
        Assert.Equal(footnote, bobsFirst.GetProperty("annotationId").GetGuid()); // carol's proposal
        Assert.Equal(team.Id(), bobsViewer.Next().GetProperty("annotationId").GetGuid());
        var caughtUp = new List<Annotations.Client.LiveChange>();
        await using var late = new Annotations.Client.LiveSubscription(LiveClient.Build(Host, App.TokenFor("bob")), ImpossibleAllies.Id, start, c => { caughtUp.Add(c); return Task.CompletedTask; });
        await late.StartAsync();
        Assert.DoesNotContain(caughtUp, c => c.AnnotationId == highlight.Id() || c.AnnotationId == comment.Id());
        Assert.Contains(caughtUp, c => c.AnnotationId == team.Id());
    }

    [Fact]
    public async Task Sharing_makes_a_private_annotation_visible_from_then_on_and_never_back()
    {
        var alice = As("alice");
        var highlight = (await alice.Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 10, end = 20, label = Secret, visibility = "private" }, 201)).ReadAsJson<JsonElement>();
        await alice.Patch($"/highlights/{highlight.Id()}", new { label = "ready to share" }, 200);
        await As("bob").Post($"/highlights/{highlight.Id()}/share", new { }, 404);

        var shared = (await alice.Post($"/highlights/{highlight.Id()}/share", new { }, 200)).ReadAsJson<JsonElement>();
        Assert.False(shared.GetProperty("private").GetBoolean());
        await alice.Post($"/highlights/{highlight.Id()}/share", new { }, 409);

        var bobsView = await As("bob").GetJson($"/highlights/{highlight.Id()}");
        Assert.Equal("ready to share", bobsView.Str("label"));
        var history = await As("bob").GetJson($"/annotations/{highlight.Id()}/history");
        // What happened while it was private stays alice's.
        Assert.Equal(new[] { "HighlightShared" }, history.GetProperty("events").EnumerateArray().Select(e => e.Str("eventType")));
        Assert.DoesNotContain(Secret, history.GetRawText());
        await WaitForFeedAsync();
        var feed = await App.ClientFor("bob").GetFeedAsync(0, 1000);
        Assert.Equal(new[] { "HighlightShared" }, feed.Events.Where(e => e.StreamId == highlight.Id()).Select(e => e.EventType));
        Assert.Equal(3, (await alice.GetJson($"/annotations/{highlight.Id()}/history")).GetProperty("events").GetArrayLength());
    }
}
