using System.Security.Claims;
using Annotations.Citations;
using Annotations.Documents;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Workspaces;
using JasperFx.Events;
using Marten;
using Wolverine.Http;

namespace Annotations.History;

// Typed as object so the JSON carries each event's and state's own fields, not just the interface's.
public sealed record HistoryEntry(long Sequence, int Version, string EventType, string Author, DateTimeOffset At, object Event, object? StateAfter);

public sealed record AnnotationHistory(Guid AnnotationId, string AnnotationType, Guid DocumentId, IReadOnlyList<HistoryEntry> Events);

public sealed record ChangedAnnotation(Guid AnnotationId, string AnnotationType, object Before, object After);

public sealed record DocumentChanges(Guid DocumentId, string From, string To, IReadOnlyList<object> Added, IReadOnlyList<ChangedAnnotation> Changed, IReadOnlyList<object> Retracted);

public sealed record TimelineEntry(long Sequence, string EventType, Guid AnnotationId, string AnnotationType, int Version, string Author, DateTimeOffset At);

public sealed record Timeline(Guid DocumentId, string Order, int Page, int PageSize, int Total, IReadOnlyList<TimelineEntry> Items);

public sealed record RevertedAnnotation(Guid AnnotationId, string AnnotationType, int ToVersion, int Version);

public static class HistoryEndpoints
{
    [WolverineGet("/annotations/{id}/history")]
    public static async Task<AnnotationHistory> History(Guid id, IQuerySession session, ClaimsPrincipal user, Access access, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0 || events[0].Data is not IAnnotationEvent first)
            throw RuleViolation.NotFound($"There is no annotation {id}.");
        var final = AnnotationFold.Fold(events)[id];
        var viewer = user.Author();
        if (!final.VisibleTo(viewer)) throw RuleViolation.NotFound($"There is no annotation {id}.");
        await access.DocumentAsync(user, first.DocumentId, ct, notFound: $"There is no annotation {id}.");

        var entries = new List<HistoryEntry>(events.Count);
        IAnnotation? state = null;
        foreach (var e in events)
        {
            state = AnnotationFold.Evolve(state, e);
            if (!final.EventVisibleTo(e.Version, viewer)) continue;
            entries.Add(new HistoryEntry(e.Sequence, (int)e.Version, e.Data.GetType().Name, AnnotationFold.AuthorOf(e.Data), e.Timestamp, e.Data, state));
        }
        return new AnnotationHistory(id, AnnotationFold.TypeOf(first), first.DocumentId, entries);
    }

    /// <summary>What changed between two moments (<c>from</c> and <c>to</c>: sequence numbers or ISO times; <c>to</c> defaults to now).</summary>
    [WolverineGet("/documents/{id}/changes")]
    public static async Task<DocumentChanges> Changes(Guid id, HttpContext http, IQuerySession session, TimeProvider clock, Access access)
    {
        var ct = http.RequestAborted;
        await access.DocumentAsync(http.User, id, ct);
        var viewer = http.User.Author();
        var fromText = http.Request.Query["from"].ToString();
        if (fromText.Length == 0) throw RuleViolation.BadRequest("from is required: an event sequence number or an ISO 8601 time.");
        var last = await Moment.LastSequenceAsync(session, ct);
        var now = clock.GetUtcNow();
        var from = Moment.Parse("from", fromText, last, now);
        var toText = http.Request.Query["to"].ToString();
        var to = toText.Length == 0 ? new Moment(last, null) : Moment.Parse("to", toText, last, now);

        var events = await DocumentEvents.LoadAsync(session, id, null, ct);
        var before = AnnotationFold.Fold(events.Where(from.Includes));
        var after = AnnotationFold.Fold(events.Where(to.Includes));
        if (from.Sequence is { } fs && to.Sequence is { } ts && fs > ts || from.Time is { } ft && to.Time is { } tt && ft > tt)
            throw RuleViolation.BadRequest("from must not come after to.");

        bool Live(IAnnotation? a) => a is not null && !a.Retracted && a.VisibleTo(viewer);
        var added = after.Values.Where(a => Live(a) && !Live(before.GetValueOrDefault(a.Id))).Cast<object>().ToList();
        var retracted = before.Values.Where(b => Live(b) && !Live(after.GetValueOrDefault(b.Id))).Select(object (b) => after.GetValueOrDefault(b.Id) ?? b).ToList();
        var changed = after.Values
            .Where(a => Live(a) && before.GetValueOrDefault(a.Id) is { } b && Live(b) && b.Version != a.Version)
            .Select(a => new ChangedAnnotation(a.Id, AnnotationFold.TypeOf(a), before[a.Id], a))
            .ToList();
        return new DocumentChanges(id, from.ToString(), to.ToString(), added, changed, retracted);
    }

    /// <summary>The reviewer's audit log: every event on the document's annotations, paged, filterable by author and type.</summary>
    [WolverineGet("/documents/{id}/timeline")]
    public static async Task<Timeline> Timeline(Guid id, HttpContext http, IQuerySession session, Access access)
    {
        var ct = http.RequestAborted;
        await access.DocumentAsync(http.User, id, ct);
        var viewer = http.User.Author();
        var q = http.Request.Query;
        var order = q["order"].ToString() is "" ? "newest" : q["order"].ToString();
        if (order is not ("newest" or "oldest")) throw RuleViolation.BadRequest("order must be newest or oldest.");
        var page = ParseInt(q["page"], "page", 1, 1, int.MaxValue);
        var pageSize = ParseInt(q["pageSize"], "pageSize", 50, 1, 200);
        var author = q["author"].ToString();
        var types = q["type"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var all = await DocumentEvents.LoadAsync(session, id, null, ct);
        var states = AnnotationFold.Fold(all);
        var events = all
            .Where(e => states.TryGetValue(e.StreamId, out var s) && s.EventVisibleTo(e.Version, viewer))
            .Where(e => author.Length == 0 || AnnotationFold.AuthorOf(e.Data) == author)
            .Where(e => types.Count == 0 || types.Contains(e.Data.GetType().Name))
            .ToList();
        var ordered = order == "newest" ? events.OrderByDescending(e => e.Sequence) : events.OrderBy(e => e.Sequence);
        var items = ordered.Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * pageSize)).Take(pageSize)
            .Select(e => new TimelineEntry(e.Sequence, e.Data.GetType().Name, e.StreamId, AnnotationFold.TypeOf(e.Data), (int)e.Version,
                AnnotationFold.AuthorOf(e.Data), e.Timestamp))
            .ToList();
        return new Timeline(id, order, page, pageSize, events.Count, items);
    }

    /// <summary>Puts an annotation back as it was at <c>toVersion</c> by appending compensating events (reviewers only).</summary>
    [WolverinePost("/annotations/{id}/revert")]
    public static async Task<IResult> Revert(Guid id, RevertAnnotation command, HttpContext http, IDocumentSession session, ClaimsPrincipal user,
        TimeProvider clock, Access access)
    {
        var ct = http.RequestAborted;
        var by = user.Author();
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0 || events[0].Data is not IAnnotationEvent first || !AnnotationFold.Fold(events)[id].VisibleTo(by))
            throw RuleViolation.NotFound($"There is no annotation {id}.");
        var document = await access.DocumentAsync(user, first.DocumentId, ct, notFound: $"There is no annotation {id}.");
        await access.RequireAsync(user, document.WorkspaceId, Role.Reviewer, ct);
        var currentVersion = (int)events[^1].Version;

        if (AnnotationWrites.ExpectedVersion(http) is { } expected && expected != currentVersion)
            throw RuleViolation.PreconditionFailed($"The annotation is at version {currentVersion}, not {expected}; nothing was stored.");
        if (command.ToVersion is not { } toVersion || toVersion < 1 || toVersion >= currentVersion)
            throw RuleViolation.BadRequest($"toVersion must be between 1 and {currentVersion - 1}, the versions before the current one ({currentVersion}).");

        var current = AnnotationFold.Fold(events)[id];
        var target = AnnotationFold.Fold(events.Where(e => e.Version <= toVersion))[id];
        var compensation = Reverts.Compensate(current, target, toVersion, Reason(command.Reason), by, clock.GetUtcNow());

        // The expected version makes a concurrent change to the same annotation fail this commit instead of being undone unseen.
        session.Events.Append(id, currentVersion + compensation.Count, compensation.Cast<object>().ToArray());
        await session.SaveChangesAsync(ct);

        await using var read = session.DocumentStore.QuerySession();
        return Results.Ok(await History(id, read, user, access, ct));
    }

    /// <summary>
    /// Undoes everything one author did on a document within a time window (the vandalism case), as one commit: each
    /// annotation they touched goes back to its state just before their first change in the window; annotations they
    /// created there are retracted. Later changes by others to those annotations are undone with it.
    /// </summary>
    [WolverinePost("/documents/{id}/revert-author")]
    public static async Task<IReadOnlyList<RevertedAnnotation>> RevertAuthor(Guid id, RevertAuthor command, HttpContext http, IDocumentSession session,
        ClaimsPrincipal user, TimeProvider clock, Access access)
    {
        var ct = http.RequestAborted;
        var by = user.Author();
        await access.DocumentAsync(user, id, ct, Role.Reviewer);
        if (string.IsNullOrWhiteSpace(command.Author)) throw RuleViolation.BadRequest("author is required.");
        if (command.From is not { } from || command.To is not { } to || from > to)
            throw RuleViolation.BadRequest("from and to are required ISO 8601 times, from not after to.");

        var now = clock.GetUtcNow();
        var reason = Reason(command.Reason) ?? $"Reverting {command.Author}'s changes from {from:O} to {to:O}";
        var reverted = new List<RevertedAnnotation>();
        foreach (var stream in (await DocumentEvents.LoadAsync(session, id, null, ct)).GroupBy(e => e.StreamId))
        {
            var events = stream.OrderBy(e => e.Version).ToList();
            var first = events.FirstOrDefault(e => AnnotationFold.AuthorOf(e.Data) == command.Author && e.Timestamp >= from && e.Timestamp <= to);
            if (first is null) continue;

            var toVersion = (int)first.Version - 1;
            var current = AnnotationFold.Fold(events)[stream.Key];
            if (!current.VisibleTo(by)) continue; // someone's private notes are theirs to clean up
            var target = toVersion == 0 ? null : AnnotationFold.Fold(events.Where(e => e.Version <= toVersion))[stream.Key];
            IReadOnlyList<IAnnotationEvent> compensation;
            try
            {
                compensation = Reverts.Compensate(current, target, toVersion, reason, by, now);
            }
            catch (RuleViolation)
            {
                continue; // Already back as it was.
            }
            var version = (int)events[^1].Version + compensation.Count;
            session.Events.Append(stream.Key, version, compensation.Cast<object>().ToArray());
            reverted.Add(new RevertedAnnotation(stream.Key, AnnotationFold.TypeOf(current), toVersion, version));
        }

        if (reverted.Count == 0) throw RuleViolation.Unprocessable($"{command.Author} changed nothing on this document in that window that is still in force.");
        await session.SaveChangesAsync(ct);
        return reverted;
    }

    private static string? Reason(string? reason)
    {
        var trimmed = reason?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        return trimmed.Length <= 1000 ? trimmed : throw RuleViolation.BadRequest("The reason is longer than 1,000 characters.");
    }

    private static int ParseInt(string? value, string name, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        return int.TryParse(value, out var n) && n >= min && n <= max ? n : throw RuleViolation.BadRequest($"{name} must be a whole number from {min} to {max}.");
    }
}
