using System.Collections.Concurrent;
using Marten;

namespace Annotations.Documents;

/// <summary>
/// Documents never change after import, so a node keeps the ones in use rather than reading the whole text (up to
/// 2 MB of JSON) on every request that touches them. Bounded; what falls out is read again.
/// </summary>
public static class DocumentCache
{
    private const int Capacity = 256;
    private static readonly ConcurrentDictionary<Guid, Document> Cache = new();

    public static async Task<Document?> LoadAsync(IQuerySession session, Guid id, CancellationToken ct)
    {
        if (Cache.TryGetValue(id, out var cached)) return cached;
        var document = await session.LoadAsync<Document>(id, ct);
        if (document is null) return null;
        if (Cache.Count >= Capacity) Cache.Clear();
        return Cache[id] = document;
    }
}
