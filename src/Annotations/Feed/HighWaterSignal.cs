namespace Annotations.Feed;

/// <summary>
/// Watches the high-water mark (one query per interval for the whole node) and wakes long-polls, event streams and
/// webhook deliveries when it moves, so none of them polls the database on its own.
/// </summary>
public sealed class HighWaterSignal(FeedReader feed, IConfiguration configuration, ILogger<HighWaterSignal> logger) : BackgroundService
{
    private TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _mark;

    public long Current => Interlocked.Read(ref _mark);

    /// <summary>Returns true as soon as the mark is beyond <paramref name="after"/>, false when <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitBeyondAsync(long after, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Current <= after)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            var moved = Volatile.Read(ref _moved).Task;
            if (Current > after) break;
            try
            {
                await moved.WaitAsync(left, ct);
            }
            catch (TimeoutException)
            {
                return Current > after;
            }
        }
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(configuration.GetValue("Feed:PollMilliseconds", 50));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var mark = await feed.HighWaterMarkAsync(stoppingToken);
                // It only moves back when the store is wiped (tests do that); waiters must see that too.
                if (mark != Current)
                {
                    Interlocked.Exchange(ref _mark, mark);
                    Interlocked.Exchange(ref _moved, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not read the high-water mark");
            }

            try { await Task.Delay(interval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}
