using System.Collections.Concurrent;

namespace Annotations.Live;

/// <summary>
/// This node's hub connections: whose they are and which documents (of which workspaces) they joined, so a member
/// removed from a workspace can be taken out of its documents' groups at once. Viewers' selections live here too:
/// presence is ephemeral, never an event, and goes when the connection goes.
/// </summary>
public sealed class ConnectionRegistry
{
    public sealed record Selection(int Start, int End);

    public sealed record Viewer(string User, string ConnectionId, Selection? Selection);

    private sealed class Connection(string user)
    {
        public string User { get; } = user;
        public ConcurrentDictionary<Guid, Guid> Documents { get; } = new(); // document → its workspace
        public ConcurrentDictionary<Guid, Selection?> Selections { get; } = new();
    }

    private readonly ConcurrentDictionary<string, Connection> _connections = new();

    public void Joined(string connectionId, string user, Guid documentId, Guid workspaceId)
    {
        var connection = _connections.GetOrAdd(connectionId, _ => new Connection(user));
        connection.Documents[documentId] = workspaceId;
        connection.Selections.TryAdd(documentId, null);
    }

    public bool HasJoined(string connectionId, Guid documentId) =>
        _connections.TryGetValue(connectionId, out var c) && c.Documents.ContainsKey(documentId);

    public void Left(string connectionId, Guid documentId)
    {
        if (!_connections.TryGetValue(connectionId, out var c)) return;
        c.Documents.TryRemove(documentId, out _);
        c.Selections.TryRemove(documentId, out _);
    }

    public void Select(string connectionId, Guid documentId, Selection? selection)
    {
        if (_connections.TryGetValue(connectionId, out var c) && c.Documents.ContainsKey(documentId)) c.Selections[documentId] = selection;
    }

    /// <summary>Forgets a closed connection; returns the documents it was viewing.</summary>
    public IReadOnlyList<Guid> Disconnected(string connectionId) =>
        _connections.TryRemove(connectionId, out var c) ? c.Documents.Keys.ToList() : [];

    /// <summary>The connections of <paramref name="user"/> on documents of <paramref name="workspaceId"/>, forgotten.</summary>
    public IReadOnlyList<(string ConnectionId, Guid DocumentId)> RemoveMember(Guid workspaceId, string user)
    {
        var removed = new List<(string, Guid)>();
        foreach (var (id, c) in _connections.Where(c => c.Value.User == user))
        {
            foreach (var (documentId, workspace) in c.Documents.Where(d => d.Value == workspaceId).ToList())
            {
                c.Documents.TryRemove(documentId, out _);
                c.Selections.TryRemove(documentId, out _);
                removed.Add((id, documentId));
            }
        }
        return removed;
    }

    public IReadOnlyList<Viewer> ViewersOf(Guid documentId) =>
        _connections
            .Where(c => c.Value.Documents.ContainsKey(documentId))
            .Select(c => new Viewer(c.Value.User, c.Key, c.Value.Selections.GetValueOrDefault(documentId)))
            .OrderBy(v => v.User, StringComparer.Ordinal).ThenBy(v => v.ConnectionId, StringComparer.Ordinal)
            .ToList();
}
