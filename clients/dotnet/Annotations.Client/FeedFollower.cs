namespace Annotations.Client;

/// <summary>Where a follower keeps its cursor between runs.</summary>
public interface ICursorStore
{
    Task<long> LoadAsync(CancellationToken ct);
    Task SaveAsync(long cursor, CancellationToken ct);
}

public sealed class MemoryCursorStore(long start = 0) : ICursorStore
{
    private long _cursor = start;
    public Task<long> LoadAsync(CancellationToken ct) => Task.FromResult(Interlocked.Read(ref _cursor));
    public Task SaveAsync(long cursor, CancellationToken ct) { Interlocked.Exchange(ref _cursor, cursor); return Task.CompletedTask; }
}

/// <summary>Keeps the cursor in a file, replaced atomically so a crash never leaves half a number.</summary>
public sealed class FileCursorStore(string path) : ICursorStore
{
    public async Task<long> LoadAsync(CancellationToken ct) =>
        File.Exists(path) && long.TryParse((await File.ReadAllTextAsync(path, ct)).Trim(), out var cursor) ? cursor : 0;

    public async Task SaveAsync(long cursor, CancellationToken ct)
    {
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, cursor.ToString(), ct);
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>
/// Follows the change feed from a stored cursor with long-polls. The cursor is saved after each event is handled, so a
/// restart resumes where it stopped: nothing is missed; an event being handled when the process died is handled
/// again, so handlers should be idempotent (the sequence number is a natural key).
/// </summary>
public sealed class FeedFollower(AnnotationsClient client, ICursorStore cursor, Guid? documentId = null, IEnumerable<string>? eventTypes = null)
{
    public async Task FollowAsync(Func<FeedEvent, CancellationToken, Task> handle, CancellationToken ct, int waitSeconds = 20, int pageSize = 500)
    {
        var after = await cursor.LoadAsync(ct);
        while (!ct.IsCancellationRequested)
        {
            FeedPage page;
            try
            {
                page = await client.GetFeedAsync(after, pageSize, waitSeconds, documentId, eventTypes, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }

            foreach (var e in page.Events)
            {
                await handle(e, ct);
                after = e.Sequence;
                await cursor.SaveAsync(after, ct);
            }
            if (page.Next > after)
            {
                after = page.Next;
                await cursor.SaveAsync(after, ct);
            }
        }
    }
}
