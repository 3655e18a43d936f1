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
public sealed class LivePublisher(IHubContext<AnnotationsHub> hub, ILogger<LivePublisher> logger) : DocumentSessionListenerBase, IHostedService
{
    private readonly Channel<LiveChange> _queue = Channel.CreateUnbounded<LiveChange>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _pump;
    private readonly CancellationTokenSource _stopping = new();

    public override async Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var e in commit.GetEvents())
        {
            // Citations are identified in the import's own commit, before anyone can have joined the document.
            if (e.Data is not IAnnotationEvent data || data is CitationIdentified) continue;
            try
            {
                _queue.Writer.TryWrite(LiveChange.From(e, data, await StateAfterAsync(session, data, token)));
            }
            catch (Exception ex)
            {
                // The change is committed whatever happens here; a failed push must not fail the request.
                logger.LogWarning(ex, "Could not prepare the live push for event {Sequence}", e.Sequence);
            }
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
        var batch = new List<LiveChange>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                batch.Clear();
                while (_queue.Reader.TryRead(out var change)) batch.Add(change);
                // Two requests committing at the same instant can enqueue out of order; within what is queued, sequence decides.
                batch.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
                foreach (var change in batch)
                {
                    try
                    {
                        await hub.Clients.Group(AnnotationsHub.GroupOf(change.DocumentId)).SendAsync(AnnotationsHub.ChangeMethod, change, ct);
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
