using Annotations.Documents;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Annotations.Live;

/// <summary>
/// Clients join the documents they are viewing and receive a <c>change</c> message (<see cref="LiveChange"/>) for
/// every committed change to their annotations.
/// </summary>
[Authorize]
public sealed class AnnotationsHub(IQuerySession session) : Hub
{
    public const string Path = "/hubs/annotations";
    public const string ChangeMethod = "change";

    public static string GroupOf(Guid documentId) => $"document:{documentId}";

    public async Task Join(Guid documentId)
    {
        if (await session.LoadAsync<Document>(documentId, Context.ConnectionAborted) is null)
            throw new HubException($"There is no document {documentId}.");
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(documentId), Context.ConnectionAborted);
    }

    public Task Leave(Guid documentId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(documentId), Context.ConnectionAborted);
}
