using System.Security.Claims;
using Annotations.Documents;
using Annotations.Feed;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Workspaces;
using Marten;
using Wolverine.Http;

namespace Annotations.Webhooks;

/// <param name="WorkspaceId">The workspace whose changes it receives (the default workspace when left out).</param>
/// <param name="After">Deliver events after this sequence; by default only those published from now on.</param>
public sealed record RegisterWebhook(string? Url, string? Secret, Guid? DocumentId, List<string>? EventTypes, long? After, Guid? WorkspaceId = null);

public sealed record WebhookView(Guid Id, Guid WorkspaceId, string Url, Guid? DocumentId, IReadOnlyList<string> EventTypes, string Owner, DateTimeOffset CreatedAt, long Position);

public static class WebhookEndpoints
{
    /// <summary>Reviewers and owners register webhooks for their workspace.</summary>
    [WolverinePost("/webhooks")]
    public static async Task<IResult> Register(RegisterWebhook command, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock,
        FeedReader feed, WebhookDispatcher dispatcher, Access access, CancellationToken ct)
    {
        var workspaceId = command.WorkspaceId ?? Workspace.DefaultId;
        await access.RequireAsync(user, workspaceId, Role.Reviewer, ct);
        if (!Uri.TryCreate(command.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw RuleViolation.BadRequest("url must be an absolute http or https URL.");
        if (command.Secret is not { Length: >= 16 and <= 256 })
            throw RuleViolation.BadRequest("secret must be 16 to 256 characters: it signs every delivery.");
        if (command.DocumentId is { } documentId && (await access.DocumentAsync(user, documentId, ct)).WorkspaceId != workspaceId)
            throw RuleViolation.Unprocessable($"Document {documentId} is not in workspace {workspaceId}.");
        if (command.After is < 0) throw RuleViolation.BadRequest("after must not be negative.");

        var id = Guid.CreateVersion7();
        var registered = new WebhookRegistered(id, url.ToString(), command.DocumentId,
            (command.EventTypes ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct().ToList(),
            command.After ?? await feed.LastCommittedAsync(ct), user.Author(), clock.GetUtcNow(), workspaceId);
        session.Events.StartStream<Webhook>(id, registered);
        session.Store(new WebhookSecret { Id = id, Secret = command.Secret });
        await session.SaveChangesAsync(ct);
        dispatcher.Poke();

        return Results.Created($"/webhooks/{id}", View(Webhook.Create(registered), registered.StartAfter));
    }

    /// <summary>The webhooks of the workspaces where the caller is a reviewer or owner.</summary>
    [WolverineGet("/webhooks")]
    public static async Task<IReadOnlyList<WebhookView>> List(IQuerySession session, ClaimsPrincipal user, Access access, CancellationToken ct)
    {
        var workspaces = (await access.MembershipsAsync(user, ct)).Where(m => m.Value >= Role.Reviewer).Select(m => m.Key).ToArray();
        var webhooks = await session.Query<Webhook>().Where(w => !w.Removed && w.WorkspaceId.IsOneOf(workspaces)).ToListAsync(ct);
        var cursors = (await session.LoadManyAsync<WebhookCursor>(ct, webhooks.Select(w => w.Id))).ToDictionary(c => c.Id);
        return webhooks.Select(w => View(w, cursors.GetValueOrDefault(w.Id)?.Position ?? w.StartAfter)).ToList();
    }

    [WolverineGet("/webhooks/{id}")]
    public static async Task<WebhookView> Get(Guid id, IQuerySession session, ClaimsPrincipal user, Access access, CancellationToken ct)
    {
        var webhook = await RequireAsync(session, id, user, access, ct);
        return View(webhook, (await session.LoadAsync<WebhookCursor>(id, ct))?.Position ?? webhook.StartAfter);
    }

    [WolverineDelete("/webhooks/{id}")]
    public static async Task<IResult> Remove(Guid id, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, WebhookDispatcher dispatcher, Access access, CancellationToken ct)
    {
        var webhook = await RequireAsync(session, id, user, access, ct);
        if (webhook.Owner != user.Author() && await access.RoleAsync(user, webhook.WorkspaceId, ct) != Role.Owner)
            throw RuleViolation.Forbidden("Only whoever registered the webhook, or a workspace owner, removes it.");
        session.Events.Append(id, new WebhookRemoved(id, user.Author(), clock.GetUtcNow()));
        session.Delete<WebhookSecret>(id);
        await session.SaveChangesAsync(ct);
        dispatcher.Poke();
        return Results.NoContent();
    }

    /// <summary>The latest delivery attempts, newest first.</summary>
    [WolverineGet("/webhooks/{id}/deliveries")]
    public static async Task<IReadOnlyList<WebhookDelivery>> Deliveries(Guid id, HttpContext http, IQuerySession session, Access access)
    {
        var ct = http.RequestAborted;
        await RequireAsync(session, id, http.User, access, ct);
        var limitText = http.Request.Query["limit"].ToString();
        var limit = limitText.Length == 0 ? 100 : int.TryParse(limitText, out var l) && l is >= 1 and <= 1000 ? l : throw RuleViolation.BadRequest("limit must be from 1 to 1000.");
        return await session.Query<WebhookDelivery>().Where(d => d.WebhookId == id)
            .OrderByDescending(d => d.At).ThenByDescending(d => d.Sequence).ThenByDescending(d => d.Attempt).Take(limit).ToListAsync(ct);
    }

    private static async Task<Webhook> RequireAsync(IQuerySession session, Guid id, ClaimsPrincipal user, Access access, CancellationToken ct)
    {
        var notFound = $"There is no webhook {id}.";
        var webhook = await session.LoadAsync<Webhook>(id, ct) is { Removed: false } found ? found : throw RuleViolation.NotFound(notFound);
        await access.RequireAsync(user, webhook.WorkspaceId, Role.Reviewer, ct, notFound);
        return webhook;
    }

    private static WebhookView View(Webhook w, long position) => new(w.Id, w.WorkspaceId, w.Url, w.DocumentId, w.EventTypes, w.Owner, w.CreatedAt, position);
}
