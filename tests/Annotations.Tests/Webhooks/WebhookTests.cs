using System.Text.Json;
using Alba;
using Annotations.Infrastructure;
using Annotations.Tests.Infrastructure;
using Annotations.Webhooks;
using JasperFx.CommandLine;
using Marten;

namespace Annotations.Tests.Webhooks;

public class WebhookTests(AppFixture app) : IntegrationContext(app)
{
    private const string Secret = "a-long-enough-shared-secret";

    /// <summary>Another server node on the same database, with webhook delivery switched on (and fast retries).</summary>
    private static async Task<IAlbaHost> DeliveringNodeAsync()
    {
        AppFixture.ConfigureEnvironment();
        Environment.SetEnvironmentVariable("Webhooks__Dispatch", "true");
        Environment.SetEnvironmentVariable("Webhooks__InitialBackoffMilliseconds", "50");
        Environment.SetEnvironmentVariable("Webhooks__MaxBackoffSeconds", "0.4");
        try
        {
            JasperFxEnvironment.AutoStartHost = true;
            return await AlbaHost.For<Program>();
        }
        finally
        {
            Environment.SetEnvironmentVariable("Webhooks__Dispatch", "false");
        }
    }

    private async Task<List<long>> MatchingSequencesAsync(Guid documentId, long after)
    {
        await using var session = Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > after).OrderBy(e => e.Sequence).ToListAsync();
        return events.Where(e => Annotations.Feed.FeedReader.ToFeedEvent(e)?.DocumentId == documentId).Select(e => e.Sequence).ToList();
    }


    [Fact]
    public async Task A_receiver_that_fails_for_a_while_then_recovers_gets_every_event_in_order_signed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var node = await DeliveringNodeAsync();
        var hook = (await As("archivist").Post("/webhooks", new { url = receiver.Url, secret = Secret, documentId = ImpossibleAllies.Id }, 201)).ReadAsJson<JsonElement>();
        var start = hook.GetProperty("position").GetInt64();

        receiver.Down = true;
        var alice = As("alice");
        for (var i = 0; i < 15; i++) await alice.AddHighlight(ImpossibleAllies.Id, i, i + 3);
        await alice.AddHighlight(RenaultKamaz.Id, 0, 3); // another document: filtered out
        await Task.Delay(1500);
        Assert.Empty(receiver.Deliveries);

        receiver.Down = false;
        var expected = await MatchingSequencesAsync(ImpossibleAllies.Id, start);
        await WaitUntil(() => receiver.Deliveries.Select(d => d.Sequence).Distinct().Count() >= expected.Count, "deliveries after recovery");

        var unique = receiver.Deliveries.DistinctBy(d => d.Sequence).ToList();
        Assert.Equal(expected, unique.Select(d => d.Sequence));
        Assert.All(unique, d => Assert.True(WebhookSignature.Verify(Secret, d.Signature, d.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)), "signature"));
        Assert.False(WebhookSignature.Verify("some-other-secret-value", unique[0].Signature, unique[0].Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Equal(unique[0].Sequence, JsonDocument.Parse(unique[0].Body).RootElement.GetProperty("sequence").GetInt64());

        var deliveries = (await As("archivist").GetJson($"/webhooks/{hook.Id()}/deliveries?limit=1000")).EnumerateArray().ToList();
        Assert.Contains(deliveries, d => d.GetProperty("statusCode").GetInt32() == 503 && !d.GetProperty("succeeded").GetBoolean());
        Assert.Equal(expected.Count, deliveries.Count(d => d.GetProperty("succeeded").GetBoolean()));
    }

    [Fact]
    public async Task Deliveries_survive_a_server_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Down = true;
        var hook = (await As("archivist").Post("/webhooks", new { url = receiver.Url, secret = Secret, eventTypes = new[] { "HighlightAdded" } }, 201)).ReadAsJson<JsonElement>();
        var start = hook.GetProperty("position").GetInt64();

        var first = await DeliveringNodeAsync();
        for (var i = 0; i < 10; i++) await As("alice").AddHighlight(ImpossibleAllies.Id, i, i + 3);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var probe = Store.QuerySession();
            if (await probe.Query<WebhookDelivery>().AnyAsync(d => d.WebhookId == hook.Id())) break;
            Assert.True(DateTime.UtcNow < deadline, "no delivery was attempted");
            await Task.Delay(50);
        }
        await first.DisposeAsync(); // the node goes away with nothing delivered

        for (var i = 0; i < 5; i++) await As("alice").AddHighlight(RenaultKamaz.Id, i, i + 3);
        receiver.Down = false;
        await using var second = await DeliveringNodeAsync();

        await using var session = Store.QuerySession();
        var expected = (await session.Events.QueryAllRawEvents().Where(e => e.Sequence > start).OrderBy(e => e.Sequence).ToListAsync())
            .Where(e => e.Data is Annotations.Highlights.HighlightAdded).Select(e => e.Sequence).ToList();
        await WaitUntil(() => receiver.Deliveries.Select(d => d.Sequence).Distinct().Count() >= 15, "deliveries after the restart");
        Assert.Equal(expected, receiver.Deliveries.DistinctBy(d => d.Sequence).Select(d => d.Sequence));
        Assert.All(receiver.Deliveries, d => Assert.Equal("HighlightAdded", d.EventType));
    }

    [Fact]
    public async Task A_webhook_sees_only_its_workspace_never_private_notes_and_starts_after_its_cursor()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = As("wanda");
        var workspace = (await owner.Post("/workspaces", new { name = "Elsewhere" }, 201)).ReadAsJson<JsonElement>().Id();
        var other = (await owner.Post("/documents", new { title = "Other", text = "Another team's text.", workspaceId = workspace }, 201)).ReadAsJson<JsonElement>().Id();
        await owner.Post($"/documents/{other}/highlights", new { start = 0, end = 7 }, 201); // before the cursor
        await WaitForFeedAsync();
        await using (var session = Store.QuerySession())
        {
            var cursor = await session.Events.QueryAllRawEvents().MaxAsync(e => e.Sequence);
            await owner.Post("/webhooks", new { url = receiver.Url, secret = Secret, workspaceId = workspace, after = cursor }, 201);
        }
        await As("archivist").Post("/webhooks", new { url = "http://127.0.0.1:9/other", secret = Secret, workspaceId = workspace }, 404); // not a member

        await using var node = await DeliveringNodeAsync();
        var visible = (await owner.Post($"/documents/{other}/highlights", new { start = 8, end = 15, label = "team" }, 201)).ReadAsJson<JsonElement>().Id();
        var secret = (await owner.Post($"/documents/{other}/highlights", new { start = 1, end = 5, label = "mine", visibility = "private" }, 201)).ReadAsJson<JsonElement>().Id();
        await owner.Patch($"/highlights/{secret}", new { label = "still mine" }, 200);
        await As("alice").AddHighlight(ImpossibleAllies.Id, 0, 5); // the default workspace
        var last = (await owner.Post($"/documents/{other}/comments", new { highlightId = visible, body = "Last one" }, 201)).ReadAsJson<JsonElement>().Id();

        await WaitUntil(() => receiver.Deliveries.Any(d => d.Body.Contains(last.ToString())), "the last team change");
        var streams = receiver.Deliveries.Select(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("streamId").GetGuid()).Distinct().ToList();
        Assert.Equal(new[] { visible, last }, streams);
    }

    [Fact]
    public async Task Bad_registrations_are_refused_and_only_the_owner_removes_a_webhook()
    {
        await As("archivist").Post("/webhooks", new { url = "ftp://example.org/x", secret = Secret }, 400);
        await As("archivist").Post("/webhooks", new { url = "not a url", secret = Secret }, 400);
        await As("archivist").Post("/webhooks", new { url = "http://127.0.0.1:9/hook", secret = "short" }, 400);
        await As("archivist").Post("/webhooks", new { url = "http://127.0.0.1:9/hook", secret = Secret, documentId = Guid.NewGuid() }, 404);

        var hook = (await As("archivist").Post("/webhooks", new { url = "http://127.0.0.1:9/hook", secret = Secret }, 201)).ReadAsJson<JsonElement>();
        Assert.Single((await As("rita").GetJson("/webhooks")).EnumerateArray());
        Assert.Empty((await As("bob").GetJson("/webhooks")).EnumerateArray()); // annotators do not manage webhooks
        await As("bob").Delete($"/webhooks/{hook.Id()}", 403);
        await As("rita").Delete($"/webhooks/{hook.Id()}", 403);
        await As("archivist").Delete($"/webhooks/{hook.Id()}", 204);
        await As("archivist").Get($"/webhooks/{hook.Id()}", 404);
        Assert.Empty((await As("rita").GetJson("/webhooks")).EnumerateArray());
    }
}
