using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Annotations.History;
using Annotations.Identity;
using Annotations.Workspaces;
using Marten;
using Microsoft.Net.Http.Headers;

namespace Annotations.Infrastructure;

/// <summary>
/// The edge between HTTP and an annotation's event stream: optimistic concurrency (ETag / If-Match), idempotent
/// creation and the response. The decisions themselves are pure functions on the aggregates.
/// </summary>
public readonly record struct NewAnnotationId(Guid Value, bool FromIdempotencyKey);

public static class AnnotationWrites
{
    /// <summary>
    /// Starts a new annotation stream. With an idempotency key the stream id is derived from the caller and the key,
    /// so a retried request finds the stream its first attempt created (the database enforces it) and gets that
    /// annotation back instead of a duplicate.
    /// </summary>
    public static async Task<IResult> CreateAsync<T>(
        IDocumentSession session, HttpContext http, NewAnnotationId id, Func<Guid, IAnnotationEvent> create, Func<T, bool> sameRequest, CancellationToken ct)
        where T : class, IAnnotation
    {
        if (id.FromIdempotencyKey && await session.LoadAsync<T>(id.Value, ct) is { } earlier)
            return Replay(http, earlier, sameRequest);

        var created = create(id.Value);
        session.Events.StartStream<T>(created.AnnotationId, created);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (IsStreamCollision(e))
        {
            return await ReplayAsync(session, http, created.AnnotationId, sameRequest, ct);
        }

        // The new stream's state is its first event applied, as the inline projection just stored it: no read back.
        var state = (T)AnnotationFold.Start(created);
        SetETag(http, state.Version);
        return Results.Created(LocationOf(state), state);
    }

    private static async Task<IResult> ReplayAsync<T>(IDocumentSession session, HttpContext http, Guid id, Func<T, bool> sameRequest, CancellationToken ct)
        where T : class, IAnnotation
    {
        await using var fresh = session.DocumentStore.QuerySession();
        var existing = await fresh.LoadAsync<T>(id, ct)
                       ?? throw RuleViolation.Conflict("An annotation with this id already exists.");
        return Replay(http, existing, sameRequest);
    }

    private static IResult Replay<T>(HttpContext http, T existing, Func<T, bool> sameRequest) where T : class, IAnnotation
    {
        if (!sameRequest(existing))
            throw RuleViolation.Unprocessable("This Idempotency-Key was already used for a different request.");
        SetETag(http, existing.Version);
        http.Response.Headers["Idempotent-Replayed"] = "true";
        return Results.Created(LocationOf(existing), existing);
    }

    /// <summary>
    /// Appends the event <paramref name="decide"/> returns for the annotation's current state. A stale If-Match (or
    /// <c>expectedVersion</c>) is refused before anything is written; a concurrent change that commits first makes
    /// this commit fail (409, or 412 under If-Match) instead of overwriting it.
    /// </summary>
    /// <param name="createdAt">For a change that creates something inside the stream (a proposal): its location, for a 201.</param>
    /// <param name="present">Turns the new state into the response body; the state itself when null.</param>
    public static async Task<IResult> ChangeAsync<T>(
        IDocumentSession session, HttpContext http, Guid id, Access access, Role minimum, Func<T, object> decide, CancellationToken ct,
        Func<object, string>? createdAt = null, Func<T, Task<object>>? present = null)
        where T : class, IAnnotation
    {
        var expected = ExpectedVersion(http);
        var stream = await session.Events.FetchForWriting<T>(id, ct);
        var current = stream.Aggregate;
        var user = http.User;
        if (current is null || !current.VisibleTo(user.Author())) throw RuleViolation.NotFound($"There is no {Describe<T>()} {id}.");
        await access.DocumentAsync(user, current.DocumentId, ct, minimum, notFound: $"There is no {Describe<T>()} {id}.");

        if (expected is { } version && version != current.Version)
            throw RuleViolation.PreconditionFailed(
                $"The {Describe<T>()} is at version {current.Version}, not {version}; nothing was stored. Read it again and retry.");

        var @event = decide(current);
        stream.AppendOne(@event);
        await session.SaveChangesAsync(ct);

        var state = await session.Events.FetchLatest<T>(id, ct);
        SetETag(http, state!.Version);
        var body = present is null ? state : await present(state);
        return createdAt is null ? Results.Ok(body) : Results.Created(createdAt(@event), body);
    }

    public static async Task<IResult> ReadAsync<T>(IQuerySession session, HttpContext http, Guid id, Access access, CancellationToken ct)
        where T : class, IAnnotation
    {
        var state = await ReadableAsync<T>(session, http.User, id, access, ct);
        SetETag(http, state.Version);
        return Results.Ok(state);
    }

    /// <summary>The annotation, if the caller may see it: its document readable, and not someone else's private note.</summary>
    public static async Task<T> ReadableAsync<T>(IQuerySession session, System.Security.Claims.ClaimsPrincipal user, Guid id, Access access, CancellationToken ct)
        where T : class, IAnnotation
    {
        var state = await session.LoadAsync<T>(id, ct);
        if (state is null || !state.VisibleTo(user.Author())) throw RuleViolation.NotFound($"There is no {Describe<T>()} {id}.");
        await access.DocumentAsync(user, state.DocumentId, ct, notFound: $"There is no {Describe<T>()} {id}.");
        return state;
    }

    /// <summary>The stream id for a new annotation: random, or derived from the caller and their idempotency key.</summary>
    public static NewAnnotationId NewId(HttpContext http, string author, string? commandId)
    {
        var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault() ?? commandId;
        if (string.IsNullOrWhiteSpace(key)) return new NewAnnotationId(Guid.CreateVersion7(), false);
        if (key.Length > 200) throw RuleViolation.BadRequest("The idempotency key is longer than 200 characters.");

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{author}\n{key}"))[..16];
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new NewAnnotationId(new Guid(hash, bigEndian: true), true);
    }

    /// <summary>From <c>If-Match: "3"</c> (or <c>W/"3"</c>) or <c>?expectedVersion=3</c>; <c>*</c> or nothing means any.</summary>
    public static int? ExpectedVersion(HttpContext http)
    {
        var header = http.Request.Headers.IfMatch.ToString().Trim();
        if (header.Length > 0 && header != "*")
        {
            var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
            if (int.TryParse(tag.Trim('"'), out var v)) return v;
            throw RuleViolation.BadRequest("If-Match must be an ETag this server returned, such as \"3\".");
        }

        var query = http.Request.Query["expectedVersion"].ToString();
        if (query.Length == 0) return null;
        return int.TryParse(query, out var q) && q > 0
            ? q
            : throw RuleViolation.BadRequest("expectedVersion must be a positive whole number.");
    }

    public static void SetETag(HttpContext http, int version) =>
        http.Response.Headers.ETag = new EntityTagHeaderValue($"\"{version}\"").ToString();

    private static string LocationOf(IAnnotation a) => a switch
    {
        Highlights.Highlight => $"/highlights/{a.Id}",
        Citations.Citation => $"/citations/{a.Id}",
        _ => $"/comments/{a.Id}",
    };

    private static string Describe<T>() => typeof(T).Name.ToLowerInvariant();

    public static bool IsStreamCollision(Exception e) =>
        e.GetType().Name == nameof(ExistingStreamIdCollisionException) || e.InnerException?.GetType().Name == nameof(ExistingStreamIdCollisionException);
}
