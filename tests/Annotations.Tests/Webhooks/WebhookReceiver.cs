using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Annotations.Tests.Webhooks;

/// <summary>A real HTTP endpoint on loopback that records every delivery and can be told to fail.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(long Sequence, string Body, string Signature, string EventType);

    private readonly WebApplication _app;
    public ConcurrentQueue<Received> Deliveries { get; } = new();
    public volatile bool Down;
    public string Url { get; private set; } = "";

    private WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext http) =>
        {
            if (Down) return Results.StatusCode(503);
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            Deliveries.Enqueue(new Received(long.Parse(http.Request.Headers["Annotations-Sequence"]!), body,
                http.Request.Headers["Annotations-Signature"].ToString(), http.Request.Headers["Annotations-Event"].ToString()));
            return Results.Ok();
        });
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver._app.StartAsync();
        receiver.Url = receiver._app.Urls.First() + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
