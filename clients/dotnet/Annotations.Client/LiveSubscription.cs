using Microsoft.AspNetCore.SignalR.Client;

namespace Annotations.Client;

/// <summary>
/// Live changes of one document with catch-up: on start, and again after every reconnection, it asks the hub for
/// every change after the last one delivered, then continues live. Each change is delivered once, in order of
/// arrival; a change that arrives both ways at the seam is dropped the second time.
/// </summary>
public sealed class LiveSubscription : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly Guid _documentId;
    private readonly Func<LiveChange, Task> _onChange;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<long> _delivered = [];
    private readonly List<LiveChange> _held = [];
    private bool _catchingUp;
    private long _last;

    public long LastSequence => Interlocked.Read(ref _last);

    public LiveSubscription(HubConnection connection, Guid documentId, long afterSequence, Func<LiveChange, Task> onChange)
    {
        _connection = connection;
        _documentId = documentId;
        _onChange = onChange;
        _last = afterSequence;
        _connection.On<LiveChange>("change", OnLiveAsync);
        _connection.Reconnected += _ => CatchUpAsync();
    }

    /// <summary>Starts the connection if needed and catches up from the cursor given at construction.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (_connection.State == HubConnectionState.Disconnected) await _connection.StartAsync(ct);
        await CatchUpAsync();
    }

    /// <summary>Joins again from the last delivered change: what was missed while away arrives first.</summary>
    public async Task CatchUpAsync()
    {
        await _gate.WaitAsync();
        _catchingUp = true;
        _gate.Release();

        var catchUp = await _connection.InvokeAsync<CatchUp>("JoinFrom", _documentId, LastSequence);

        await _gate.WaitAsync();
        try
        {
            foreach (var change in catchUp.Changes.OrderBy(c => c.Sequence)) await DeliverAsync(change);
            foreach (var change in _held) await DeliverAsync(change);
            _held.Clear();
            _catchingUp = false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OnLiveAsync(LiveChange change)
    {
        if (change.DocumentId != _documentId) return;
        await _gate.WaitAsync();
        try
        {
            if (_catchingUp) _held.Add(change);
            else await DeliverAsync(change);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DeliverAsync(LiveChange change)
    {
        if (!_delivered.Add(change.Sequence)) return;
        if (_delivered.Count > 50_000) _delivered.RemoveWhere(s => s < LastSequence - 25_000);
        if (change.Sequence > LastSequence) Interlocked.Exchange(ref _last, change.Sequence);
        await _onChange(change);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
