using System.Text.Json;
using Alba;
using Annotations.Identity;
using Annotations.Tests.Infrastructure;
using Annotations.Workspaces;
using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.Configuration;

namespace Annotations.Tests.Workspaces;

public class MembershipTests(AppFixture app) : IntegrationContext(app)
{
    [Fact]
    public async Task Membership_changes_are_events_that_show_in_the_workspaces_history()
    {
        var owner = As("wanda");
        var workspace = (await owner.Post("/workspaces", new { name = "Archive team" }, 201)).ReadAsJson<JsonElement>().Id();
        await owner.Post($"/workspaces/{workspace}/members", new { member = "xavier", role = "annotator" }, 201);
        await owner.Send(s => { s.Put.Json(new { role = "reviewer" }).ToUrl($"/workspaces/{workspace}/members/xavier"); }, 200);
        await owner.Post($"/workspaces/{workspace}/members", new { member = "xavier", role = "reader" }, 409);
        await As("xavier").Post($"/workspaces/{workspace}/members", new { member = "yves", role = "reader" }, 403);
        await owner.Delete($"/workspaces/{workspace}/members/wanda", 409); // the last owner stays
        await owner.Delete($"/workspaces/{workspace}/members/xavier", 200);

        var history = await owner.GetJson($"/workspaces/{workspace}/history");
        Assert.Equal(new[] { "WorkspaceCreated", "MemberAdded", "MemberAdded", "MemberRoleChanged", "MemberRemoved" },
            history.EnumerateArray().Select(e => e.Str("eventType")));
        Assert.All(history.EnumerateArray().Skip(1), e => Assert.Equal("wanda", e.GetProperty("event").Str("by")));
        await As("xavier").Get($"/workspaces/{workspace}", 404);
    }

    [Fact]
    public async Task A_removed_member_stops_receiving_pushes_at_once()
    {
        await using var carol = await LiveClient.ConnectAsync(Host, App.TokenFor("carol"));
        await carol.JoinAsync(ImpossibleAllies.Id);
        await As("alice").AddHighlight(ImpossibleAllies.Id, 0, 5);
        Assert.Equal("HighlightAdded", carol.Next().Str("eventType"));

        await As(Owner).Delete($"/workspaces/{Workspace.DefaultId}/members/carol", 200);
        await As("alice").AddHighlight(ImpossibleAllies.Id, 5, 9);
        await Task.Delay(400);
        Assert.Equal(0, carol.Pending);
        await As("carol").Get($"/documents/{ImpossibleAllies.Id}", 404);
    }

    [Fact]
    public async Task A_reviewer_moderates_with_a_reason_an_annotator_cannot()
    {
        var comment = await As("alice").AddComment(ImpossibleAllies.Id, new { start = 0, end = 4, body = "Off topic" });
        await As("bob").Delete($"/comments/{comment.Id()}?reason=spam", 403);
        await As("rita").Delete($"/comments/{comment.Id()}", 400);
        var retracted = (await As("rita").Delete($"/comments/{comment.Id()}?reason=Off%20topic", 200)).ReadAsJson<JsonElement>();
        Assert.Equal(("rita", "Off topic"), (retracted.Str("retractedBy"), retracted.Str("retractionReason")));
        await As("reuben").Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 0, end = 3 }, 403); // a reader
    }

    [Fact]
    public async Task API_keys_read_the_workspace_feed_only_and_stop_when_revoked()
    {
        var issued = (await As(Owner).Post($"/workspaces/{Workspace.DefaultId}/api-keys", new { name = "indexer" }, 201)).ReadAsJson<JsonElement>();
        var key = issued.Str("key");
        await As("alice").AddHighlight(ImpossibleAllies.Id, 0, 5);
        await WaitForFeedAsync();

        async Task<int> WithKey(Action<Scenario> configure) =>
            (await Host.Scenario(s => { s.WithRequestHeader("Authorization", $"ApiKey {key}"); configure(s); s.IgnoreStatusCode(); })).Context.Response.StatusCode;

        Assert.Equal(200, await WithKey(s => s.Get.Url("/feed?after=0")));
        var page = (await Host.Scenario(s => { s.WithRequestHeader("X-Api-Key", key); s.Get.Url("/feed?after=0&limit=1000"); })).ReadAsJson<JsonElement>();
        Assert.Contains(page.GetProperty("events").EnumerateArray(), e => e.Str("eventType") == "HighlightAdded");
        Assert.Equal(403, await WithKey(s => s.Post.Json(new { start = 0, end = 3 }).ToUrl($"/documents/{ImpossibleAllies.Id}/highlights")));

        await using (var session = Store.QuerySession())
        {
            var workspace = await session.LoadAsync<Workspace>(Workspace.DefaultId);
            Assert.DoesNotContain(key, JsonSerializer.Serialize(workspace));
            Assert.DoesNotContain(key, JsonSerializer.Serialize((await session.Events.FetchStreamAsync(Workspace.DefaultId)).Select(e => e.Data)));
        }

        await As(Owner).Delete($"/workspaces/{Workspace.DefaultId}/api-keys/{issued.Id()}", 200);
        Assert.Equal(401, await WithKey(s => s.Get.Url("/feed?after=0")));
        Assert.Equal(401, await WithKey(s => s.Get.Url("/documents")));
    }

    [Fact]
    public async Task Writes_beyond_the_limit_get_429_with_Retry_After()
    {
        AppFixture.ConfigureEnvironment();
        Environment.SetEnvironmentVariable("RateLimits__WritesPerMinute", "5");
        IAlbaHost limited;
        try
        {
            JasperFxEnvironment.AutoStartHost = true;
            limited = await AlbaHost.For<Program>();
        }
        finally
        {
            Environment.SetEnvironmentVariable("RateLimits__WritesPerMinute", "1000000");
        }
        await using var _ = limited;

        var statuses = new List<int>();
        for (var i = 0; i < 7; i++)
            statuses.Add((await new ApiUser(limited, App.TokenFor("dave")).Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = i, end = i + 3 })).Context.Response.StatusCode);
        Assert.Equal(new[] { 201, 201, 201, 201, 201, 429, 429 }, statuses);

        var rejected = await new ApiUser(limited, App.TokenFor("dave")).Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 0, end = 3 }, 429);
        Assert.True(int.Parse(rejected.Context.Response.Headers.RetryAfter.ToString()) > 0);
        Assert.Equal("application/problem+json", rejected.Context.Response.ContentType);
        // Reads and other users are not limited.
        await new ApiUser(limited, App.TokenFor("dave")).Get($"/documents/{ImpossibleAllies.Id}/annotations");
        await new ApiUser(limited, App.TokenFor("alice")).Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 0, end = 3 }, 201);
    }

    [Fact]
    public void With_the_embedded_defaults_the_first_minted_user_owns_the_default_workspace()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"annotations-owner-{Guid.NewGuid():N}");
        var settings = new TokenSettings { SigningKeyFile = Path.Combine(folder, "signing-key") };
        var output = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            TokenCommand.Run(["token", "first"], settings);
            TokenCommand.Run(["token", "second"], settings);
        }
        finally
        {
            Console.SetOut(output);
        }
        var configuration = new ConfigurationBuilder().Build();
        var defaults = new DefaultWorkspace(Store, configuration, settings, TimeProvider.System);
        Assert.Equal("first", defaults.ConfiguredOwner);
        var configured = new DefaultWorkspace(Store, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Workspaces:DefaultOwner"] = "boss" }).Build(), settings, TimeProvider.System);
        Assert.Equal("boss", configured.ConfiguredOwner);
        Directory.Delete(folder, recursive: true);
    }
}
