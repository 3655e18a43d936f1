using System.Globalization;
using Annotations.Infrastructure;
using JasperFx.Events;
using Marten;

namespace Annotations.History;

/// <summary>A point in a document's history: after a global event sequence number, or at a moment in time.</summary>
public sealed record Moment(long? Sequence, DateTimeOffset? Time)
{
    public bool Includes(IEvent e) => Sequence is { } s ? e.Sequence <= s : e.Timestamp <= Time!.Value;

    public override string ToString() => Sequence is { } s ? $"sequence {s}" : Time!.Value.ToString("O");

    /// <summary>A whole number is a sequence; anything else must be an ISO 8601 time. Neither may lie in the future.</summary>
    public static Moment Parse(string name, string value, long lastSequence, DateTimeOffset now)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            if (sequence < 0) throw RuleViolation.BadRequest($"{name} must not be negative.");
            if (sequence > lastSequence) throw RuleViolation.BadRequest($"{name}={sequence} lies beyond the last event ({lastSequence}).");
            return new Moment(sequence, null);
        }

        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            throw RuleViolation.BadRequest($"{name} must be an event sequence number or an ISO 8601 time, such as 2026-11-27T10:00:00Z.");
        if (time > now) throw RuleViolation.BadRequest($"{name}={value} lies in the future.");
        return new Moment(null, time);
    }

    public static async Task<long> LastSequenceAsync(IQuerySession session, CancellationToken ct) =>
        await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Select(e => e.Sequence).FirstOrDefaultAsync(ct);
}

/// <summary>Reads a document's events: those of every annotation and citation stream that belongs to it.</summary>
public static class DocumentEvents
{
    public static async Task<IReadOnlyList<Guid>> StreamIdsAsync(IQuerySession session, Guid documentId, CancellationToken ct)
    {
        // The read models only say which streams belong to the document; every state is computed from the events.
        var batch = session.CreateBatchQuery();
        var highlights = batch.Query<Highlights.Highlight>().Where(h => h.DocumentId == documentId).Select(h => h.Id).ToList();
        var comments = batch.Query<Comments.Comment>().Where(c => c.DocumentId == documentId).Select(c => c.Id).ToList();
        var citations = batch.Query<Citations.Citation>().Where(c => c.DocumentId == documentId).Select(c => c.Id).ToList();
        await batch.Execute(ct);
        return [.. await highlights, .. await comments, .. await citations];
    }

    public static async Task<IReadOnlyList<IEvent>> LoadAsync(IQuerySession session, Guid documentId, Moment? until, CancellationToken ct)
    {
        var ids = (await StreamIdsAsync(session, documentId, ct)).ToArray();
        var query = session.Events.QueryAllRawEvents().Where(e => e.StreamId.IsOneOf(ids));
        if (until?.Sequence is { } s) query = query.Where(e => e.Sequence <= s);
        if (until?.Time is { } t) query = query.Where(e => e.Timestamp <= t);
        return await query.OrderBy(e => e.Sequence).ToListAsync(ct);
    }
}
