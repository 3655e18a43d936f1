using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using Annotations.Documents;
using Annotations.Workspaces;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;

namespace Annotations.Tests.Infrastructure;

/// <summary>
/// Base for scenarios: every test starts from an empty store with the seed documents imported, and talks to the
/// server over HTTP as a named user.
/// </summary>
[Collection(AppCollection.Name)]
public abstract class IntegrationContext(AppFixture app) : IAsyncLifetime
{
    protected AppFixture App { get; } = app;
    protected IAlbaHost Host => App.Host;
    protected IDocumentStore Store => App.Store;

    protected Document RenaultKamaz { get; private set; } = null!;
    protected Document ImpossibleAllies { get; private set; } = null!;

    /// <summary>Owns the default workspace.</summary>
    public const string Owner = "olivia";

    /// <summary>Everyone the scenarios act as, with their role in the default workspace.</summary>
    public static readonly IReadOnlyDictionary<string, Role> Members = new Dictionary<string, Role>
    {
        ["rita"] = Role.Reviewer, ["rob"] = Role.Reviewer, ["archivist"] = Role.Reviewer, ["reuben"] = Role.Reader,
    }.Concat(new[] { "alice", "bob", "carol", "dave", "hélène", "mallory", "indexer" }
            .Concat(Enumerable.Range(0, 8).Select(i => $"writer{i}")).Concat(Enumerable.Range(0, 5).Select(i => $"viewer{i}"))
            .Select(u => KeyValuePair.Create(u, Role.Annotator)))
        .ToDictionary();

    public virtual async Task InitializeAsync()
    {
        await Host.ResetAllMartenDataAsync();
        await Host.Services.GetRequiredService<DefaultWorkspace>().EnsureExistsAsync(CancellationToken.None);
        await using (var members = Store.LightweightSession())
        {
            members.Events.Append(Workspace.DefaultId, Members.Select(m => (object)new MemberAdded(Workspace.DefaultId, m.Key, m.Value, Owner, DateTimeOffset.UtcNow)).ToArray());
            await members.SaveChangesAsync();
        }
        await SeedImporter.ImportAsync(Store, Path.Combine(AppContext.BaseDirectory, "Seeds"), NullLogger.Instance, CancellationToken.None);
        await using var session = Store.QuerySession();
        var documents = await session.Query<Document>().ToListAsync();
        RenaultKamaz = documents.Single(d => d.SourceFileName.StartsWith("000_"));
        ImpossibleAllies = documents.Single(d => d.SourceFileName.StartsWith("002_"));
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected ApiUser As(string user) => new(Host, App.TokenFor(user));

    /// <summary>Posts raw JSON and checks it is refused with problem details and leaves the event store as it was.</summary>
    protected async Task AssertRejectedAsync(string url, string json, int status)
    {
        var before = await EventCountAsync();
        var result = await As("alice").Send(s =>
            s.Post.ByteArray(System.Text.Encoding.UTF8.GetBytes(json)).ContentType("application/json").ToUrl(url), status);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.Equal(before, await EventCountAsync());
    }

    protected static async Task WaitUntil(Func<bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(what);
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until every stored event is below the feed's high-water mark.</summary>
    protected async Task WaitForFeedAsync()
    {
        await using var session = Store.QuerySession();
        var last = await session.Events.QueryAllRawEvents().MaxAsync(e => e.Sequence);
        var signal = Host.Services.GetRequiredService<Annotations.Feed.HighWaterSignal>();
        Assert.True(await signal.WaitBeyondAsync(last - 1, TimeSpan.FromSeconds(30), CancellationToken.None), "the high-water mark did not reach the last event");
    }

    protected async Task<long> EventCountAsync()
    {
        await using var session = Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }
}

/// <summary>A user's view of the API: thin helpers over Alba scenarios that return what the user would see.</summary>
public sealed class ApiUser(IAlbaHost host, string token)
{
    public string Token => token;

    public Task<IScenarioResult> Send(Action<Scenario> configure, int? expectStatus = null) =>
        host.Scenario(s =>
        {
            s.WithRequestHeader("Authorization", $"Bearer {token}");
            configure(s);
            if (expectStatus is { } status) s.StatusCodeShouldBe(status);
            else s.IgnoreStatusCode();
        });

    public Task<IScenarioResult> Post(string url, object body, int? expectStatus = null, Action<Scenario>? extra = null) =>
        Send(s => { WithQuery(s.Post.Json(body), url); extra?.Invoke(s); }, expectStatus);

    public Task<IScenarioResult> Patch(string url, object body, int? expectStatus = null, Action<Scenario>? extra = null) =>
        Send(s => { WithQuery(s.Patch.Json(body), url); extra?.Invoke(s); }, expectStatus);

    /// <summary>Alba's ToUrl takes a path only; the query string goes in separately.</summary>
    public static void WithQuery(SendExpression send, string url)
    {
        var parts = url.Split('?', 2);
        send.ToUrl(parts[0]);
        if (parts.Length < 2) return;
        foreach (var pair in parts[1].Split('&'))
        {
            var kv = pair.Split('=', 2);
            send.QueryString(Uri.UnescapeDataString(kv[0]), Uri.UnescapeDataString(kv.Length > 1 ? kv[1] : ""));
        }
    }

    public Task<IScenarioResult> Delete(string url, int? expectStatus = null, Action<Scenario>? extra = null) =>
        Send(s => { s.Delete.Url(url); extra?.Invoke(s); }, expectStatus);

    public Task<IScenarioResult> Get(string url, int? expectStatus = 200) => Send(s => s.Get.Url(url), expectStatus);

    public async Task<JsonElement> GetJson(string url) => (await Get(url)).ReadAsJson<JsonElement>();

    public async Task<JsonElement> AddHighlight(Guid documentId, int start, int end, object? extra = null)
    {
        var body = Merge(new { start, end }, extra);
        return (await Post($"/documents/{documentId}/highlights", body, 201)).ReadAsJson<JsonElement>();
    }

    public async Task<JsonElement> AddComment(Guid documentId, object body) =>
        (await Post($"/documents/{documentId}/comments", body, 201)).ReadAsJson<JsonElement>();

    private static Dictionary<string, object?> Merge(object a, object? b)
    {
        var result = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(a))!;
        if (b is not null)
            foreach (var (k, v) in JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(b))!) result[k] = v;
        return result;
    }
}

public static class JsonExtensions
{
    public static Guid Id(this JsonElement e) => e.GetProperty("id").GetGuid();
    public static int Version(this JsonElement e) => e.GetProperty("version").GetInt32();
    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;
}
