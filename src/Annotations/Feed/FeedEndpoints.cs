using System.Text;
using System.Text.Json;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Workspaces;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace Annotations.Feed;

public static class FeedEndpoints
{
    public const int MaxWaitSeconds = 60;

    /// <summary>
    /// A page of changes after the cursor, in sequence order. With <c>wait</c> it is a long-poll that answers as soon
    /// as something newer is published, or empty when the wait runs out.
    /// </summary>
    [WolverineGet("/feed")]
    public static async Task<FeedPage> Get(HttpContext http, FeedReader feed, HighWaterSignal signal, Access access)
    {
        var q = http.Request.Query;
        var after = Long(q["after"], "after", 0);
        var limit = (int)Long(q["limit"], "limit", 100);
        var wait = Long(q["wait"], "wait", 0);
        if (wait > MaxWaitSeconds) throw RuleViolation.BadRequest($"wait is at most {MaxWaitSeconds} seconds.");
        var filter = FeedFilter.Parse(q["document"], q["type"]);
        var ct = http.RequestAborted;

        var deadline = DateTime.UtcNow.AddSeconds(wait);
        while (true)
        {
            var page = await feed.ReadAsync(after, limit, filter, await ViewerAsync(http, access), ct);
            var left = deadline - DateTime.UtcNow;
            if (page.Events.Count > 0 || left <= TimeSpan.Zero) return page;
            after = page.Next;
            if (after < page.HighWaterMark) continue; // more published events to look at, none matched yet
            if (!await signal.WaitBeyondAsync(after, left, ct)) return page with { Next = after };
        }
    }

    /// <summary>
    /// Server-sent events: each change as <c>event: change</c> with <c>id:</c> its sequence, so a reconnecting
    /// EventSource resumes after the last one it saw (<c>Last-Event-ID</c>); a comment line every few seconds keeps
    /// idle connections open through proxies.
    /// </summary>
    [WolverineGet("/feed/stream")]
    public static async Task Stream(HttpContext http, FeedReader feed, HighWaterSignal signal, IOptions<JsonOptions> json, IConfiguration configuration, Access access)
    {
        var q = http.Request.Query;
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        var after = lastEventId.Length > 0 ? Long(lastEventId, "Last-Event-ID", 0) : Long(q["after"], "after", 0);
        var filter = FeedFilter.Parse(q["document"], q["type"]);
        var heartbeat = TimeSpan.FromSeconds(configuration.GetValue("Feed:HeartbeatSeconds", 15.0));
        var ct = http.RequestAborted;

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync(": connected\n\n", ct);
        await http.Response.Body.FlushAsync(ct);

        try
        {
            while (!ct.IsCancellationRequested)
            {
                var page = await feed.ReadAsync(after, 500, filter, await ViewerAsync(http, access), ct);
                if (page.Events.Count > 0)
                {
                    var text = new StringBuilder();
                    foreach (var e in page.Events)
                        text.Append("id: ").Append(e.Sequence).Append("\nevent: change\ndata: ")
                            .Append(JsonSerializer.Serialize(e, json.Value.SerializerOptions)).Append("\n\n");
                    await http.Response.WriteAsync(text.ToString(), ct);
                    await http.Response.Body.FlushAsync(ct);
                }
                after = page.Next;
                if (page.Events.Count == 0 && !await signal.WaitBeyondAsync(after, heartbeat, ct))
                {
                    await http.Response.WriteAsync(": heartbeat\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Asked again for every page, so a new document or a lost membership shows at once on a long stream.</summary>
    private static async Task<FeedViewer> ViewerAsync(HttpContext http, Access access) =>
        new(await access.ReadableDocumentsAsync(http.User, http.RequestAborted), ApiKeys.WorkspaceOf(http.User) is null ? http.User.Author() : null);

    private static long Long(string? value, string name, long fallback)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        return long.TryParse(value, out var n) && n >= 0 ? n : throw RuleViolation.BadRequest($"{name} must be a whole number, not negative.");
    }
}
