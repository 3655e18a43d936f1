using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Annotations.Feed;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Annotations.Webhooks;

/// <summary>
/// Delivers the change feed to each webhook, in order and at least once. Each webhook has a cursor in the database:
/// an event is POSTed until the receiver accepts it (retrying with exponential backoff, for as long as it takes), then
/// the cursor moves past it. A restart, or a receiver that was down for an hour, resumes from the cursor in order.
/// Across several server nodes a PostgreSQL advisory lock per webhook keeps delivery single-file.
/// </summary>
public sealed class WebhookDispatcher(
    IDocumentStore store,
    FeedReader feed,
    HighWaterSignal signal,
    NpgsqlDataSource database,
    IHttpClientFactory httpClients,
    IOptions<JsonOptions> json,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private readonly ConcurrentDictionary<Guid, (Task Task, CancellationTokenSource Stop)> _workers = new();
    private readonly SemaphoreSlim _poke = new(0);

    private TimeSpan InitialBackoff => TimeSpan.FromMilliseconds(configuration.GetValue("Webhooks:InitialBackoffMilliseconds", 500));
    private TimeSpan MaxBackoff => TimeSpan.FromSeconds(configuration.GetValue("Webhooks:MaxBackoffSeconds", 60.0));

    /// <summary>Looks for new or removed webhooks now rather than at the next refresh.</summary>
    public void Poke() => _poke.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Webhooks:Dispatch", true)) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not refresh the webhook list");
            }
            try { await _poke.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken); }
            catch (OperationCanceledException) { break; }
        }

        foreach (var (_, worker) in _workers) await worker.Stop.CancelAsync();
        await Task.WhenAll(_workers.Values.Select(w => w.Task));
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var active = (await session.Query<Webhook>().Where(w => !w.Removed).ToListAsync(ct)).ToDictionary(w => w.Id);

        foreach (var (id, worker) in _workers)
        {
            if (active.ContainsKey(id) && !worker.Task.IsCompleted) continue;
            await worker.Stop.CancelAsync();
            _workers.TryRemove(id, out _);
        }
        foreach (var webhook in active.Values.Where(w => !_workers.ContainsKey(w.Id)))
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _workers[webhook.Id] = (Task.Run(() => RunAsync(webhook, stop.Token), CancellationToken.None), stop);
        }
    }

    private async Task RunAsync(Webhook webhook, CancellationToken ct)
    {
        try
        {
            await using var lockConnection = await database.OpenConnectionAsync(ct);
            while (!await TryLockAsync(lockConnection, webhook.Id, ct))
                await Task.Delay(TimeSpan.FromSeconds(2), ct); // Another node is delivering this one.

            var filter = new FeedFilter(webhook.DocumentId, webhook.EventTypes.ToHashSet(StringComparer.Ordinal));
            var cursor = await LoadCursorAsync(webhook, ct);
            while (!ct.IsCancellationRequested)
            {
                var page = await feed.ReadAsync(cursor, 100, filter, await ViewerAsync(webhook, ct), ct);
                foreach (var e in page.Events)
                {
                    await DeliverAsync(webhook, e, ct);
                    cursor = e.Sequence;
                    await SaveCursorAsync(webhook.Id, cursor, ct);
                }
                if (page.Next > cursor)
                {
                    cursor = page.Next;
                    await SaveCursorAsync(webhook.Id, cursor, ct);
                }
                if (page.Events.Count == 0) await signal.WaitBeyondAsync(cursor, TimeSpan.FromSeconds(5), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Webhook {WebhookId} stopped; it restarts at the next refresh", webhook.Id);
        }
    }

    private async Task<FeedViewer> ViewerAsync(Webhook webhook, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var documents = await session.Query<Documents.Document>().Where(d => d.WorkspaceId == webhook.WorkspaceId).Select(d => d.Id).ToListAsync(ct);
        return new FeedViewer(documents.ToHashSet(), User: null);
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, Guid webhookId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock(hashtextextended(@key, 0))", connection);
        command.Parameters.AddWithValue("key", $"annotations-webhook:{webhookId}");
        return await command.ExecuteScalarAsync(ct) is true;
    }

    private async Task<long> LoadCursorAsync(Webhook webhook, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.LoadAsync<WebhookCursor>(webhook.Id, ct))?.Position ?? webhook.StartAfter;
    }

    private async Task SaveCursorAsync(Guid webhookId, long position, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Store(new WebhookCursor { Id = webhookId, Position = position, UpdatedAt = clock.GetUtcNow() });
        await session.SaveChangesAsync(ct);
    }

    /// <summary>POSTs one event until the receiver answers 2xx; every attempt is recorded.</summary>
    private async Task DeliverAsync(Webhook webhook, FeedEvent e, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(e, json.Value.SerializerOptions);
        var backoff = InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            string secret;
            await using (var session = store.QuerySession())
                secret = (await session.LoadAsync<WebhookSecret>(webhook.Id, ct))?.Secret ?? "";

            var delivery = new WebhookDelivery { Id = Guid.CreateVersion7(), WebhookId = webhook.Id, Sequence = e.Sequence, EventType = e.EventType, Attempt = attempt, At = clock.GetUtcNow() };
            var stopwatch = Stopwatch.StartNew();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, clock.GetUtcNow().ToUnixTimeSeconds(), body));
                request.Headers.Add("Annotations-Webhook", webhook.Id.ToString());
                request.Headers.Add("Annotations-Sequence", e.Sequence.ToString());
                request.Headers.Add("Annotations-Event", e.EventType);
                request.Headers.Add("Annotations-Delivery", delivery.Id.ToString());
                using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, ct);
                delivery.StatusCode = (int)response.StatusCode;
                delivery.Succeeded = response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                delivery.Error = ex.Message;
            }
            delivery.DurationMs = stopwatch.Elapsed.TotalMilliseconds;

            await using (var session = store.LightweightSession())
            {
                session.Store(delivery);
                await session.SaveChangesAsync(ct);
            }
            if (delivery.Succeeded) return;

            await Task.Delay(backoff, ct);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }
}
