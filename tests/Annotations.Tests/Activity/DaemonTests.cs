using System.Text.Json;
using Annotations.Tests.Infrastructure;
using Marten.Events;

namespace Annotations.Tests.Activity;

public class DaemonTests(AppFixture app) : IntegrationContext(app)
{
    /// <summary>
    /// Guards the DistributedLock substitution: with the wrong lock package the daemon never gets its lock and async
    /// projections silently never run.
    /// </summary>
    [Fact]
    public async Task The_async_activity_projection_catches_up_under_the_apps_daemon()
    {
        var alice = As("alice");
        var bob = As("bob");
        var h = await alice.AddHighlight(ImpossibleAllies.Id, 0, 10);
        await bob.AddComment(ImpossibleAllies.Id, new { highlightId = h.Id(), body = "Seen" });
        await alice.Patch($"/highlights/{h.Id()}", new { label = "x" }, 200);

        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var activity = await alice.GetJson($"/documents/{ImpossibleAllies.Id}/activity");
        Assert.Equal(3, activity.GetProperty("events").GetInt64());
        Assert.Equal(1, activity.GetProperty("highlightsAdded").GetInt32());
        Assert.Equal(1, activity.GetProperty("commentsAdded").GetInt32());
        Assert.Equal(2, activity.GetProperty("changesByAuthor").GetProperty("alice").GetInt32());
        Assert.Equal(1, activity.GetProperty("changesByAuthor").GetProperty("bob").GetInt32());
    }
}
