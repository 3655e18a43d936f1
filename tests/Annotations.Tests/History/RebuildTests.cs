using System.Text.Json;
using Annotations.Activity;
using Annotations.Citations;
using Annotations.Comments;
using Annotations.Documents;
using Annotations.Highlights;
using Annotations.Tests.Infrastructure;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;

namespace Annotations.Tests.History;

public class RebuildTests(AppFixture app) : IntegrationContext(app)
{
    /// <summary>Several users at work on both seed documents: hundreds of events of every kind.</summary>
    private async Task BuildRealisticHistoryAsync()
    {
        string[] users = ["alice", "bob", "carol"];
        foreach (var document in new[] { ImpossibleAllies, RenaultKamaz })
        {
            var highlights = await Task.WhenAll(Enumerable.Range(0, 45).Select(i =>
                As(users[i % 3]).AddHighlight(document.Id, i * 20, i * 20 + 15, new { label = $"h{i}", tags = new[] { $"t{i % 4}" } })));
            var comments = await Task.WhenAll(highlights.Take(30).Select((h, i) =>
                As(users[(i + 1) % 3]).AddComment(document.Id, new { highlightId = h.Id(), body = $"Comment {i}" })));
            await Task.WhenAll(comments.Take(20).Select((c, i) =>
                As(users[i % 3]).AddComment(document.Id, new { parentCommentId = c.Id(), body = $"Reply {i}" })));
            await Task.WhenAll(highlights.Take(25).Select((h, i) => As(users[i % 3]).Patch($"/highlights/{h.Id()}", new { label = $"h{i}'" }, 200)));
            await Task.WhenAll(comments.Take(15).Select((c, i) => As(users[(i + 1) % 3]).Patch($"/comments/{c.Id()}", new { body = $"Comment {i}, edited" }, 200)));
            await Task.WhenAll(highlights.Skip(35).Select((h, i) => As(users[(35 + i) % 3]).Delete($"/highlights/{h.Id()}", 200)));
            await Task.WhenAll(comments.Skip(25).Select((c, i) => As(users[(26 + i) % 3]).Delete($"/comments/{c.Id()}", 200)));

            var citations = (await As("alice").GetJson($"/documents/{document.Id}/citations")).EnumerateArray().Take(8).ToList();
            foreach (var (citation, i) in citations.Select((c, i) => (c, i)))
            {
                var proposal = (await As(users[i % 3]).Post($"/citations/{citation.Id()}/proposals", new { correctedText = $"Corrected entry {i}." }, 201))
                    .ReadAsJson<JsonElement>().GetProperty("openProposals")[0].Id();
                if (i % 3 == 0) await As("rita").Post($"/citations/{citation.Id()}/proposals/{proposal}/accept", new { reason = "Checked." }, 200);
                if (i % 3 == 1) await As("rob").Post($"/citations/{citation.Id()}/proposals/{proposal}/reject", new { reason = "No." }, 200);
            }
            await As("rita").Post($"/annotations/{highlights[0].Id()}/revert", new { toVersion = 1 }, 200);
            await As("rita").Post($"/annotations/{comments[0].Id()}/revert", new { toVersion = 1 }, 200);
        }
    }

    private async Task<Dictionary<string, string>> ReadModelsAsync()
    {
        await using var session = Store.QuerySession();
        static IEnumerable<KeyValuePair<string, string>> Rows<T>(IEnumerable<T> docs, Func<T, Guid> id) =>
            docs.Select(d => KeyValuePair.Create($"{typeof(T).Name}/{id(d)}", JsonSerializer.Serialize(d)));
        return Rows(await session.Query<Highlight>().ToListAsync(), h => h.Id)
            .Concat(Rows(await session.Query<Comment>().ToListAsync(), c => c.Id))
            .Concat(Rows(await session.Query<Citation>().ToListAsync(), c => c.Id))
            .Concat(Rows(await session.Query<Document>().ToListAsync(), d => d.Id))
            .Concat(Rows(await session.Query<DocumentActivity>().ToListAsync(), a => a.Id))
            .ToDictionary();
    }

    [Fact]
    public async Task Rebuilding_every_projection_from_the_events_gives_the_same_read_models()
    {
        await BuildRealisticHistoryAsync();
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        await using (var session = Store.QuerySession())
            Assert.InRange(await session.Events.QueryAllRawEvents().CountAsync(), 400, 2000);
        var incremental = await ReadModelsAsync();

        foreach (var type in new[] { typeof(Highlight), typeof(Comment), typeof(Citation), typeof(Document), typeof(DocumentActivity) })
            await Store.Advanced.Clean.DeleteDocumentsByTypeAsync(type);
        Assert.Empty(await ReadModelsAsync());

        var daemon = Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        foreach (var projection in new[] { "Highlight", "Comment", "Citation", "Document", "DocumentActivity" })
            await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(2), CancellationToken.None);

        var rebuilt = await ReadModelsAsync();
        Assert.Equal(incremental.Count, rebuilt.Count);
        foreach (var (key, json) in incremental) Assert.Equal(json, rebuilt[key]);
    }
}
