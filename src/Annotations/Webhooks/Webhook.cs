namespace Annotations.Webhooks;

public sealed record WebhookRegistered(Guid WebhookId, string Url, Guid? DocumentId, IReadOnlyList<string> EventTypes, long StartAfter, string By, DateTimeOffset At,
    Guid? WorkspaceId = null);

public sealed record WebhookRemoved(Guid WebhookId, string By, DateTimeOffset At);

/// <summary>
/// A subscriber's endpoint and what it wants, within one workspace: it sees that workspace's documents and only what
/// the team sees. The secret is kept apart (<see cref="WebhookSecret"/>), out of the events.
/// </summary>
public sealed record Webhook(Guid Id, string Url, Guid? DocumentId, IReadOnlyList<string> EventTypes, long StartAfter, string Owner, DateTimeOffset CreatedAt,
    Guid WorkspaceId, bool Removed = false)
{
    public int Version { get; set; }

    public static Webhook Create(WebhookRegistered e) =>
        new(e.WebhookId, e.Url, e.DocumentId, e.EventTypes, e.StartAfter, e.By, e.At, e.WorkspaceId ?? Workspaces.Workspace.DefaultId);

    public Webhook Apply(WebhookRemoved e) => this with { Removed = true };
}

/// <summary>The signing secret: a document, not an event, so it can be replaced or erased.</summary>
public sealed class WebhookSecret
{
    public Guid Id { get; set; }
    public string Secret { get; set; } = "";
}

/// <summary>How far delivery has got: every matching event up to <see cref="Position"/> was accepted by the receiver.</summary>
public sealed class WebhookCursor
{
    public Guid Id { get; set; }
    public long Position { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One delivery attempt, kept for <c>GET /webhooks/{id}/deliveries</c>.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid WebhookId { get; set; }
    public long Sequence { get; set; }
    public string EventType { get; set; } = "";
    public int Attempt { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public bool Succeeded { get; set; }
    public DateTimeOffset At { get; set; }
    public double DurationMs { get; set; }
}
