using System.Collections.Concurrent;
using System.Text.Json;
using Alba;
using Annotations.Live;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Annotations.Tests.Infrastructure;

/// <summary>A real SignalR client over WebSockets against the in-memory server, collecting every pushed change.</summary>
public sealed class LiveClient : IAsyncDisposable
{
    private readonly BlockingCollection<JsonElement> _received = new();

    public HubConnection Connection { get; }

    private LiveClient(HubConnection connection)
    {
        Connection = connection;
        Connection.On<JsonElement>(AnnotationsHub.ChangeMethod, change => _received.Add(change));
    }

    public static async Task<LiveClient> ConnectAsync(IAlbaHost host, string token)
    {
        var connection = Build(host, token);
        await connection.StartAsync();
        return new LiveClient(connection);
    }

    /// <summary>A hub connection over WebSockets to the in-memory server, not yet started.</summary>
    public static HubConnection Build(IAlbaHost host, string token)
    {
        var server = host.Server;
        return new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, AnnotationsHub.Path), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                o.WebSocketFactory = async (context, ct) =>
                {
                    var client = server.CreateWebSocketClient();
                    client.ConfigureRequest = r => r.Headers.Authorization = $"Bearer {token}";
                    return await client.ConnectAsync(context.Uri, ct);
                };
            })
            .WithAutomaticReconnect()
            .Build();
    }

    public Task JoinAsync(Guid documentId) => Connection.InvokeAsync("Join", documentId);

    /// <summary>The next pushed change, or a failure if none arrives within the timeout.</summary>
    public JsonElement Next(TimeSpan? timeout = null) =>
        _received.TryTake(out var change, timeout ?? TimeSpan.FromSeconds(10))
            ? change
            : throw new TimeoutException("No live change arrived.");

    public int Pending => _received.Count;

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
