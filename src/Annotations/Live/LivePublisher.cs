using System.Threading.Channels;
using Annotations.Citations;
using Annotations.Comments;
using Annotations.Highlights;
using Annotations.History;
using Annotations.Infrastructure;
using JasperFx.Events;
using Marten;
using Marten.Services;
using Microsoft.AspNetCore.SignalR;

namespace Annotations.Live;

/// <summary>
/// Pushes committed annotation events to the SignalR group of their document. Marten calls this listener after each
/// commit, so nothing rolled back is ever pushed and the push starts before the HTTP response is written: no polling.
/// One reader drains the queue in sequence order, which keeps each document's changes in order.
/// </summary>
public sealed class LivePublisher(IHubContext<AnnotationsHub> hub, ConnectionRegistry registry, ILogger<LivePublisher> logger) : DocumentSessionListenerBase, IHostedService
{
    /// <param name="PrivateTo">The author, when only they may see it.</param>
    private sealed record Push(LiveChange Change, string? PrivateTo);

    private readonly Channel<Push> _queue = Channel.CreateUnbounded<Push>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _pump;
    private readonly CancellationTokenSource _stopping = new();

    public override async Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var e in commit.GetEvents())
        {
            if (e.Data is Workspaces.MemberRemoved removed) await RemoveFromDocumentsAsync(removed);
            // Citations are identified in the import's own commit, before anyone can have joined the document.
            if (e.Data is not IAnnotationEvent data || data is CitationIdentified) continue;
            try
            {
                // A new annotation's state is its first event applied: no need to read it back.
                var state = e.Version == 1 ? AnnotationFold.Start(data) : await StateAfterAsync(session, data, token);
                _queue.Writer.TryWrite(new Push(LiveChange.From(e, data, state), PrivateAudience(state)));
            }
            catch (Exception ex)
            {
                // The change is committed whatever happens here; a failed push must not fail the request.
                logger.LogWarning(ex, "Could not prepare the live push for event {Sequence}", e.Sequence);
            }
        }
    }

    private static string? PrivateAudience(object? state) => state switch
    {
        Highlight { Private: true } h => h.Author,
        Comment { Private: true } c => c.Author,
        _ => null,
    };

    /// <summary>A member removed from a workspace stops receiving its documents' changes at once (on this node).</summary>
    private async Task RemoveFromDocumentsAsync(Workspaces.MemberRemoved removed)
    {
        foreach (var (connectionId, documentId) in registry.RemoveMember(removed.WorkspaceId, removed.Member))
        {
            await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationsHub.GroupOf(documentId));
            await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationsHub.PrivateGroupOf(documentId, removed.Member));
            await AnnotationsHub.BroadcastPresence(hub.Clients, registry, documentId);
        }
    }

    private static async Task<object?> StateAfterAsync(IDocumentSession session, IAnnotationEvent e, CancellationToken ct) =>
        AnnotationFold.TypeOf(e) switch
        {
            AnnotationFold.HighlightType => await session.Events.FetchLatest<Highlight>(e.AnnotationId, ct),
            AnnotationFold.CommentType => await session.Events.FetchLatest<Comment>(e.AnnotationId, ct),
            _ => await session.Events.FetchLatest<Citation>(e.AnnotationId, ct),
        };

    public Task StartAsync(CancellationToken ct)
    {
        _pump = Task.Run(() => PumpAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task PumpAsync(CancellationToken ct)
    {
        var batch = new List<Push>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                batch.Clear();
                while (_queue.Reader.TryRead(out var change)) batch.Add(change);
                // Two requests committing at the same instant can enqueue out of order; within what is queued, sequence decides.
                batch.Sort((a, b) => a.Change.Sequence.CompareTo(b.Change.Sequence));
                foreach (var (change, privateTo) in batch)
                {
                    try
                    {
                        var group = privateTo is null ? AnnotationsHub.GroupOf(change.DocumentId) : AnnotationsHub.PrivateGroupOf(change.DocumentId, privateTo);
                        await hub.Clients.Group(group).SendAsync(AnnotationsHub.ChangeMethod, change, ct);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        logger.LogWarning(ex, "Live push of event {Sequence} failed", change.Sequence);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async Task StopAsync(CancellationToken ct)
    {
        _queue.Writer.TryComplete();
        if (_pump is null) return;
        // Deliver what is already queued, but do not hold shutdown hostage.
        await Task.WhenAny(_pump, Task.Delay(TimeSpan.FromSeconds(2), ct));
        await _stopping.CancelAsync();
    }
}
