using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Annotations.Client;

/// <summary>Typed calls to the REST API. The <see cref="HttpClient"/> carries the base address.</summary>
public sealed class AnnotationsClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    public AnnotationsClient(HttpClient http, string? token = null)
    {
        _http = http;
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Task<IReadOnlyList<DocumentSummary>> ListDocumentsAsync(CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<DocumentSummary>>(new HttpRequestMessage(HttpMethod.Get, "/documents"), ct);

    public Task<JsonElement> AddHighlightAsync(Guid documentId, int start, int end, string? label = null, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<JsonElement>(Post($"/documents/{documentId}/highlights", new { start, end, label }, idempotencyKey), ct);

    public Task<JsonElement> AddCommentAsync(Guid documentId, object anchorAndBody, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<JsonElement>(Post($"/documents/{documentId}/comments", anchorAndBody, idempotencyKey), ct);

    public Task<JsonElement> EditCommentAsync(Guid commentId, string body, int? expectedVersion = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/comments/{commentId}") { Content = JsonContent.Create(new { body }, options: Json) };
        if (expectedVersion is { } v) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{v}\""));
        return SendAsync<JsonElement>(request, ct);
    }

    /// <summary>A page of the change feed after <paramref name="after"/>; with <paramref name="waitSeconds"/> a long-poll.</summary>
    public Task<FeedPage> GetFeedAsync(long after, int limit = 500, int waitSeconds = 0, Guid? documentId = null, IEnumerable<string>? eventTypes = null,
        CancellationToken ct = default)
    {
        var url = $"/feed?after={after}&limit={limit}&wait={waitSeconds}";
        if (documentId is { } d) url += $"&document={d}";
        if (eventTypes is not null) url += $"&type={Uri.EscapeDataString(string.Join(',', eventTypes))}";
        return SendAsync<FeedPage>(new HttpRequestMessage(HttpMethod.Get, url), ct);
    }

    private static HttpRequestMessage Post(string url, object body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: Json) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await _http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await ReadProblemAsync(response, ct);
            throw new AnnotationsApiException((int)response.StatusCode, problem?.GetValueOrDefault("title")?.ToString(), problem?.GetValueOrDefault("detail")?.ToString());
        }
        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }

    private static async Task<Dictionary<string, object?>?> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try { return await response.Content.ReadFromJsonAsync<Dictionary<string, object?>>(Json, ct); }
        catch (JsonException) { return null; }
    }
}
