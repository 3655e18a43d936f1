using System.Text.Json;
using Annotations.Tests.Infrastructure;
using Marten;
using Microsoft.AspNetCore.SignalR;

namespace Annotations.Tests.Live;

public class LivePushTests(AppFixture app) : IntegrationContext(app)
{
    [Fact]
    public async Task A_client_on_document_A_receives_As_change_and_nothing_of_Bs()
    {
        await using var onA = await LiveClient.ConnectAsync(Host, App.TokenFor("carol"));
        await using var onB = await LiveClient.ConnectAsync(Host, App.TokenFor("dave"));
        await onA.JoinAsync(ImpossibleAllies.Id);
        await onB.JoinAsync(RenaultKamaz.Id);

        var onDocA = await As("alice").AddHighlight(ImpossibleAllies.Id, 0, 10, new { label = "for A" });
        var onDocB = await As("bob").AddHighlight(RenaultKamaz.Id, 0, 10, new { label = "for B" });

        var change = onA.Next();
        Assert.Equal(ImpossibleAllies.Id, change.GetProperty("documentId").GetGuid());
        Assert.Equal(onDocA.Id(), change.GetProperty("annotationId").GetGuid());
        Assert.Equal(("highlight", "HighlightAdded", "alice"), (change.Str("annotationType"), change.Str("eventType"), change.Str("author")));
        Assert.Equal(1, change.GetProperty("version").GetInt64());
        Assert.Equal("for A", change.GetProperty("state").Str("label"));

        await using var session = Store.QuerySession();
        var stored = (await session.Events.FetchStreamAsync(onDocA.Id())).Single();
        Assert.Equal(stored.Sequence, change.GetProperty("sequence").GetInt64());

        Assert.Equal(onDocB.Id(), onB.Next().GetProperty("annotationId").GetGuid());
        await Task.Delay(300);
        Assert.Equal(0, onA.Pending);
        Assert.Equal(0, onB.Pending);
    }

    [Fact]
    public async Task Changes_to_a_document_arrive_in_the_order_they_were_made()
    {
        await using var viewer = await LiveClient.ConnectAsync(Host, App.TokenFor("carol"));
        await viewer.JoinAsync(ImpossibleAllies.Id);
        var alice = As("alice");

        var c = await alice.AddComment(ImpossibleAllies.Id, new { start = 0, end = 5, body = "edit 0" });
        for (var i = 1; i <= 20; i++) await alice.Patch($"/comments/{c.Id()}", new { body = $"edit {i}" }, 200);
        await alice.Delete($"/comments/{c.Id()}", 200);

        var received = Enumerable.Range(0, 22).Select(_ => viewer.Next()).ToList();
        Assert.Equal(Enumerable.Range(1, 22).Select(v => (long)v), received.Select(r => r.GetProperty("version").GetInt64()));
        Assert.Equal("CommentAdded", received[0].Str("eventType"));
        Assert.All(received.Skip(1).Take(20), r => Assert.Equal("CommentEdited", r.Str("eventType")));
        Assert.Equal("CommentRetracted", received[^1].Str("eventType"));
        Assert.Equal("edit 20", received[20].GetProperty("state").Str("body"));
        var sequences = received.Select(r => r.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
    }

    [Fact]
    public async Task Only_committed_changes_are_pushed()
    {
        await using var viewer = await LiveClient.ConnectAsync(Host, App.TokenFor("carol"));
        await viewer.JoinAsync(ImpossibleAllies.Id);
        var alice = As("alice");
        var h = await alice.AddHighlight(ImpossibleAllies.Id, 0, 10);
        Assert.Equal("HighlightAdded", viewer.Next().Str("eventType"));

        // Rejected requests (a stale version, a rule violation, bad input) commit nothing and push nothing.
        await alice.Patch($"/highlights/{h.Id()}", new { label = "stale" }, 412, s => s.WithRequestHeader("If-Match", "\"7\""));
        await As("bob").Delete($"/highlights/{h.Id()}", 403);
        await alice.Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 0, end = 10, exact = "wrong" }, 422);
        await alice.Patch($"/highlights/{h.Id()}", new { label = "committed" }, 200);

        var next = viewer.Next();
        Assert.Equal(("HighlightRelabelled", "committed"), (next.Str("eventType"), next.GetProperty("state").Str("label")));
    }

    [Fact]
    public async Task Several_viewers_of_a_document_each_receive_its_changes()
    {
        var viewers = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => LiveClient.ConnectAsync(Host, App.TokenFor($"viewer{i}"))));
        try
        {
            foreach (var v in viewers) await v.JoinAsync(RenaultKamaz.Id);
            var h = await As("alice").AddHighlight(RenaultKamaz.Id, 5, 15);
            Assert.All(viewers, v => Assert.Equal(h.Id(), v.Next().GetProperty("annotationId").GetGuid()));

            await Microsoft.AspNetCore.SignalR.Client.HubConnectionExtensions.InvokeAsync(viewers[0].Connection, "Leave", RenaultKamaz.Id);
            await As("alice").Delete($"/highlights/{h.Id()}", 200);
            Assert.All(viewers.Skip(1), v => Assert.Equal("HighlightRetracted", v.Next().Str("eventType")));
            await Task.Delay(300);
            Assert.Equal(0, viewers[0].Pending);
        }
        finally
        {
            foreach (var v in viewers) await v.DisposeAsync();
        }
    }

    [Fact]
    public async Task Joining_an_unknown_document_fails_with_a_message()
    {
        await using var viewer = await LiveClient.ConnectAsync(Host, App.TokenFor("carol"));
        var error = await Assert.ThrowsAsync<HubException>(() => viewer.JoinAsync(Guid.NewGuid()));
        Assert.Contains("no document", error.Message);
    }

    [Fact]
    public async Task The_hub_refuses_connections_without_a_valid_token()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => LiveClient.ConnectAsync(Host, "not-a-token"));
        var foreign = new Annotations.Identity.TokenSettings { SigningKey = Convert.ToBase64String(new byte[32]) }.Mint("mallory");
        await Assert.ThrowsAnyAsync<Exception>(() => LiveClient.ConnectAsync(Host, foreign));
    }
}
