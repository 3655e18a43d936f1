using System.Text.Json;
using Alba;
using Annotations.Tests.Infrastructure;
using Annotations.Workspaces;
using Microsoft.AspNetCore.SignalR;

namespace Annotations.Tests.Workspaces;

/// <summary>
/// Every role against every action on every surface. A stranger (no membership) is told the document does not exist;
/// a member with too low a role gets 403; everyone at or above the role needed succeeds.
/// </summary>
public class AuthorizationMatrixTests(AppFixture app) : IntegrationContext(app)
{
    private static readonly string[] Roles = ["stranger", "reader", "annotator", "reviewer", "owner"];

    private Guid _workspace;
    private Guid _document;

    private static string UserFor(string role) => $"matrix-{role}";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var owner = As(UserFor("owner"));
        _workspace = (await owner.Post("/workspaces", new { name = "Matrix" }, 201)).ReadAsJson<JsonElement>().Id();
        foreach (var role in new[] { "reader", "annotator", "reviewer" })
            await owner.Post($"/workspaces/{_workspace}/members", new { member = UserFor(role), role }, 201);
        _document = (await owner.Post("/documents", new { title = "Matrix text", text = "A text for the matrix. It has 1 footnote.1\n\n1 A source, Paris 1999.\n", workspaceId = _workspace }, 201))
            .ReadAsJson<JsonElement>().Id();
    }

    /// <summary>An action and the lowest role allowed to do it; it returns the HTTP status the caller got.</summary>
    private sealed record Action(string Name, string Minimum, Func<ApiUser, string, Task<int>> Run);

    private async Task<IReadOnlyList<Action>> ActionsAsync()
    {
        var owner = As(UserFor("owner"));
        var highlight = (await owner.Post($"/documents/{_document}/highlights", new { start = 0, end = 5 }, 201)).ReadAsJson<JsonElement>().Id();
        var citation = (await owner.GetJson($"/documents/{_document}/citations"))[0].Id();
        async Task<int> Status(Task<IScenarioResult> call) => (await call).Context.Response.StatusCode;

        return
        [
            new("read the document", "reader", (u, _) => Status(u.Get($"/documents/{_document}", null))),
            new("read the annotation layer", "reader", (u, _) => Status(u.Get($"/documents/{_document}/annotations", null))),
            new("read it as of a sequence", "reader", (u, _) => Status(u.Get($"/documents/{_document}/annotations?atSequence=1", null))),
            new("read the timeline", "reader", (u, _) => Status(u.Get($"/documents/{_document}/timeline", null))),
            new("read the citations", "reader", (u, _) => Status(u.Get($"/documents/{_document}/citations", null))),
            new("read the bibliography", "reader", (u, _) => Status(u.Get($"/documents/{_document}/bibliography", null))),
            new("read a highlight", "reader", (u, _) => Status(u.Get($"/highlights/{highlight}", null))),
            new("read a history", "reader", (u, _) => Status(u.Get($"/annotations/{highlight}/history", null))),
            new("read the workspace", "reader", (u, _) => Status(u.Get($"/workspaces/{_workspace}", null))),
            new("add a highlight", "annotator", (u, _) => Status(u.Post($"/documents/{_document}/highlights", new { start = 1, end = 4 }))),
            new("comment", "annotator", (u, _) => Status(u.Post($"/documents/{_document}/comments", new { start = 1, end = 4, body = "Hm." }))),
            new("propose a correction", "annotator", (u, r) => Status(u.Post($"/citations/{citation}/proposals", new { correctedText = $"A source, Paris 1998 ({r})." }))),
            new("import a document", "annotator", (u, r) => Status(u.Post("/documents", new { title = "x", text = $"Text by {r}", workspaceId = _workspace }))),
            new("accept a correction", "reviewer", async (u, r) =>
            {
                var proposal = (await As(UserFor("annotator")).Post($"/citations/{citation}/proposals", new { correctedText = $"A fix for {r}." }, 201)).ReadAsJson<JsonElement>()
                    .GetProperty("openProposals").EnumerateArray().Last().Id();
                return await Status(u.Post($"/citations/{citation}/proposals/{proposal}/accept", new { reason = "ok" }));
            }),
            new("revert", "reviewer", async (u, _) =>
            {
                var h = (await owner.Post($"/documents/{_document}/highlights", new { start = 2, end = 6, label = "a" }, 201)).ReadAsJson<JsonElement>().Id();
                await owner.Patch($"/highlights/{h}", new { label = "b" }, 200);
                return await Status(u.Post($"/annotations/{h}/revert", new { toVersion = 1 }));
            }),
            new("moderate someone's comment", "reviewer", async (u, _) =>
            {
                var c = (await owner.Post($"/documents/{_document}/comments", new { start = 1, end = 3, body = "Off topic" }, 201)).ReadAsJson<JsonElement>().Id();
                return await Status(u.Delete($"/comments/{c}?reason=off%20topic"));
            }),
            new("register a webhook", "reviewer", (u, _) => Status(u.Post("/webhooks", new { url = "http://127.0.0.1:9/x", secret = "sixteen-chars-secret", workspaceId = _workspace }))),
            new("add a member", "owner", (u, r) => Status(u.Post($"/workspaces/{_workspace}/members", new { member = $"new-{r}", role = "reader" }))),
            new("issue an API key", "owner", (u, r) => Status(u.Post($"/workspaces/{_workspace}/api-keys", new { name = r }))),
        ];
    }

    [Fact]
    public async Task Every_role_can_do_exactly_what_it_should_over_HTTP()
    {
        var actions = await ActionsAsync();
        var failures = new List<string>();
        foreach (var action in actions)
        {
            foreach (var role in Roles)
            {
                var status = await action.Run(As(UserFor(role)), role);
                var allowed = Array.IndexOf(Roles, role) >= Array.IndexOf(Roles, action.Minimum);
                var expected = allowed ? "2xx" : role == "stranger" ? "404" : "403";
                var ok = allowed ? status is >= 200 and < 300 : status == (role == "stranger" ? 404 : 403);
                if (!ok) failures.Add($"{role} / {action.Name}: expected {expected}, got {status}");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public async Task The_hub_feed_and_event_stream_follow_the_same_rules()
    {
        await As(UserFor("owner")).Post($"/documents/{_document}/highlights", new { start = 0, end = 5 }, 201);
        await WaitForFeedAsync();
        foreach (var role in Roles)
        {
            await using var live = await LiveClient.ConnectAsync(Host, App.TokenFor(UserFor(role)));
            if (role == "stranger") await Assert.ThrowsAsync<HubException>(() => live.JoinAsync(_document));
            else await live.JoinAsync(_document);

            var feed = await App.ClientFor(UserFor(role)).GetFeedAsync(0, 1000);
            Assert.Equal(role != "stranger", feed.Events.Any(e => e.DocumentId == _document));
            Assert.DoesNotContain(feed.Events, e => e.DocumentId != _document && role != "stranger" && e.DocumentId is { } d && d != RenaultKamaz.Id && d != ImpossibleAllies.Id);
        }
        // A stranger's feed shows nothing of this workspace, and nothing of the default one they are not in either.
        var strangerFeed = await App.ClientFor(UserFor("stranger")).GetFeedAsync(0, 1000);
        Assert.Empty(strangerFeed.Events);

        // The event stream: read until the first heartbeat, which comes once everything published has been sent.
        foreach (var role in Roles)
        {
            using var http = Host.Server.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/feed/stream?after=0");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", App.TokenFor(UserFor(role)));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            var text = new System.Text.StringBuilder();
            while (await lines.ReadLineAsync(timeout.Token) is { } line && line != ": heartbeat") text.AppendLine(line);
            Assert.Equal(role != "stranger", text.ToString().Contains(_document.ToString()));
        }
    }

    [Fact]
    public async Task Requests_without_credentials_get_401_everywhere()
    {
        foreach (var url in new[] { "/documents", $"/documents/{_document}/annotations", "/feed", "/feed/stream", "/webhooks", "/workspaces", $"/annotations/{Guid.NewGuid()}/history" })
            await Host.Scenario(s => { s.Get.Url(url); s.StatusCodeShouldBe(401); });
    }
}
