using System.Collections.Concurrent;
using System.Text.Json;
using Annotations.Live;
using Annotations.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Annotations.Tests.Live;

public class PresenceTests(AppFixture app) : IntegrationContext(app)
{
    private static ConcurrentQueue<JsonElement> Watch(HubConnection connection)
    {
        var updates = new ConcurrentQueue<JsonElement>();
        connection.On<JsonElement>(AnnotationsHub.PresenceMethod, p => updates.Enqueue(p));
        return updates;
    }

    private static IEnumerable<(string User, int? Start, int? End)> Viewers(JsonElement update) =>
        update.GetProperty("viewers").EnumerateArray().Select(v => (v.Str("user"),
            v.GetProperty("selection").ValueKind == JsonValueKind.Null ? (int?)null : v.GetProperty("selection").GetProperty("start").GetInt32(),
            v.GetProperty("selection").ValueKind == JsonValueKind.Null ? (int?)null : v.GetProperty("selection").GetProperty("end").GetInt32()));

    [Fact]
    public async Task Viewers_see_each_other_come_select_and_go()
    {
        await using var alice = await LiveClient.ConnectAsync(Host, App.TokenFor("alice"));
        var seenByAlice = Watch(alice.Connection);
        await alice.JoinAsync(ImpossibleAllies.Id);
        await WaitUntil(() => seenByAlice.Any(u => Viewers(u).Select(v => v.User).SequenceEqual(["alice"])), "alice sees herself");

        var bob = await LiveClient.ConnectAsync(Host, App.TokenFor("bob"));
        var seenByBob = Watch(bob.Connection);
        await bob.JoinAsync(ImpossibleAllies.Id);
        await WaitUntil(() => seenByAlice.Any(u => Viewers(u).Select(v => v.User).SequenceEqual(["alice", "bob"])), "alice sees bob arrive");

        await bob.Connection.InvokeAsync("Select", ImpossibleAllies.Id, 23, 40);
        await WaitUntil(() => seenByAlice.Any(u => Viewers(u).Contains(("bob", 23, 40))), "alice sees bob's selection");
        await alice.Connection.InvokeAsync("Select", ImpossibleAllies.Id, 5, 9);
        await WaitUntil(() => seenByBob.Any(u => Viewers(u).Contains(("alice", 5, 9))), "bob sees alice's selection");

        // Someone on another document sees none of it.
        await using var carol = await LiveClient.ConnectAsync(Host, App.TokenFor("carol"));
        var seenByCarol = Watch(carol.Connection);
        await carol.JoinAsync(RenaultKamaz.Id);

        await bob.DisposeAsync();
        await WaitUntil(() => Viewers(seenByAlice.Last()).Select(v => v.User).SequenceEqual(["alice"]), "bob's departure reaches alice");
        Assert.All(seenByCarol, u => Assert.Equal(RenaultKamaz.Id, u.GetProperty("documentId").GetGuid()));
        Assert.DoesNotContain(seenByCarol, u => Viewers(u).Any(v => v.User != "carol"));
    }

    [Fact]
    public async Task Selecting_without_joining_is_refused()
    {
        await using var dave = await LiveClient.ConnectAsync(Host, App.TokenFor("dave"));
        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => dave.Connection.InvokeAsync("Select", ImpossibleAllies.Id, 1, 2));
    }
}
