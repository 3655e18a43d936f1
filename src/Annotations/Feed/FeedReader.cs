using Annotations.Documents;
using Annotations.History;
using Annotations.Infrastructure;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace Annotations.Feed;

/// <summary>One change in the feed. <see cref="Sequence"/> is the cursor every surface speaks.</summary>
public sealed record FeedEvent(
    long Sequence,
    string EventType,
    Guid StreamId,
    Guid? DocumentId,
    string AnnotationType,
    int Version,
    string Author,
    DateTimeOffset At,
    object Data);

/// <param name="Next">The cursor to pass as <c>after</c> for the following page: everything up to it has been read.</param>
/// <param name="HighWaterMark">No event at or below this sequence can still appear.</param>
public sealed record FeedPage(IReadOnlyList<FeedEvent> Events, long Next, long HighWaterMark);

/// <summary>
/// Who reads: the documents they may see, and the user whose private annotations they may see (none for a webhook or
/// an API key, which see the team's view only).
/// </summary>
public sealed record FeedViewer(IReadOnlySet<Guid> Documents, string? User);

public sealed record FeedFilter(Guid? DocumentId, IReadOnlySet<string> EventTypes)
{
    public static readonly FeedFilter None = new(null, new HashSet<string>());

    public bool Matches(FeedEvent e) =>
        (DocumentId is null || e.DocumentId == DocumentId) && (EventTypes.Count == 0 || EventTypes.Contains(e.EventType));

    public static FeedFilter Parse(string? document, string? types)
    {
        Guid? documentId = null;
        if (!string.IsNullOrWhiteSpace(document))
            documentId = Guid.TryParse(document, out var id) ? id : throw RuleViolation.BadRequest("document must be a document id.");
        var set = (types ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return new FeedFilter(documentId, set);
    }
}

/// <summary>
/// Reads committed events in sequence order, never past the high-water mark of Marten's projection daemon: below it no
/// event can still appear (a transaction that reserved a lower sequence number has committed or is proven rolled back),
/// so a reader that resumes from any cursor misses nothing and sees nothing twice.
/// </summary>
public sealed class FeedReader(IDocumentStore store, NpgsqlDataSource database)
{
    public const int MaxLimit = 1000;

    private readonly string _highWaterSql =
        $"select last_seq_id from {store.Options.DatabaseSchemaName}.mt_event_progression where name = 'HighWaterMark'";



    public async Task<long> HighWaterMarkAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand(_highWaterSql);
        return await command.ExecuteScalarAsync(ct) is long mark ? mark : 0;
    }

    /// <summary>The newest committed event: "now" for a subscriber that wants only what comes next.</summary>
    public async Task<long> LastCommittedAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Select(e => e.Sequence).FirstOrDefaultAsync(ct);
    }

    public async Task<FeedPage> ReadAsync(long after, int limit, FeedFilter filter, FeedViewer viewer, CancellationToken ct)
    {
        if (after < 0) throw RuleViolation.BadRequest("after must not be negative.");
        if (limit is < 1 or > MaxLimit) throw RuleViolation.BadRequest($"limit must be from 1 to {MaxLimit}.");

        var highWater = await HighWaterMarkAsync(ct);
        if (highWater <= after) return new FeedPage([], after, highWater);

        // Each page looks at a bounded window of sequence numbers, so its cost does not grow with how far behind the
        // reader is (the planner's row estimates for a fast-growing table lag, and an open range then means a scan).
        var upper = Math.Min(highWater, after + limit * 4L);
        await using var session = store.QuerySession();
        var raw = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after && e.Sequence <= upper)
            .OrderBy(e => e.Sequence)
            .Take(limit)
            .ToListAsync(ct);
        var visible = await VisibilityAsync(session, raw, viewer, ct);
        var events = raw.Where(visible).Select(ToFeedEvent).OfType<FeedEvent>()
            .Where(e => e.DocumentId is { } d && viewer.Documents.Contains(d)).Where(filter.Matches).ToList();
        // A short page read everything up to the window's end, including events the filter left out.
        var next = raw.Count == limit ? raw[^1].Sequence : upper;
        return new FeedPage(events, next, highWater);
    }

    /// <summary>Hides events of private annotations from everyone but their author (for as long as they were private).</summary>
    private static async Task<Func<IEvent, bool>> VisibilityAsync(IQuerySession session, IReadOnlyList<IEvent> events, FeedViewer viewer, CancellationToken ct)
    {
        var streams = events.Where(e => e.Data is IAnnotationEvent a && AnnotationFold.TypeOf(a) is AnnotationFold.HighlightType or AnnotationFold.CommentType)
            .Select(e => e.StreamId).Distinct().ToArray();
        if (streams.Length == 0) return _ => true;
        var batch = session.CreateBatchQuery();
        var highlights = batch.Query<Highlights.Highlight>().Where(h => h.Id.IsOneOf(streams)).ToList();
        var comments = batch.Query<Comments.Comment>().Where(c => c.Id.IsOneOf(streams)).ToList();
        await batch.Execute(ct);
        var states = (await highlights).Cast<IAnnotation>().Concat(await comments).ToDictionary(a => a.Id);
        var user = viewer.User ?? "";
        return e => !states.TryGetValue(e.StreamId, out var state) || state.EventVisibleTo(e.Version, user);
    }

    /// <summary>Null for what is not a change of the domain (such as the tombstone of a rolled-back append).</summary>
    public static FeedEvent? ToFeedEvent(IEvent e) => e.Data switch
    {
        IAnnotationEvent a => new FeedEvent(e.Sequence, e.Data.GetType().Name, e.StreamId, a.DocumentId, AnnotationFold.TypeOf(a), (int)e.Version, a.By, e.Timestamp, a),
        // The text itself stays out of the feed: GET /documents/{id} has it.
        DocumentImported d => new FeedEvent(e.Sequence, nameof(DocumentImported), e.StreamId, d.DocumentId, AnnotationFold.DocumentType, (int)e.Version, d.ImportedBy, e.Timestamp,
            new { d.DocumentId, d.Title, d.SourceFileName, d.Sha256, d.Length, d.ImportedBy, d.ImportedAt }),
        _ => null,
    };
}
