using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alba;
using Annotations.Documents;
using Annotations.Tests.Infrastructure;
using Marten;

namespace Annotations.Tests.Documents;

public class DocumentTests(AppFixture app) : IntegrationContext(app)
{
    private static string SeedText(string prefix) =>
        File.ReadAllText(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Seeds"), prefix + "*.txt").Single());

    [Fact]
    public async Task The_seed_documents_are_listed_with_titles_lengths_and_live_counts()
    {
        var alice = As("alice");
        await alice.AddHighlight(ImpossibleAllies.Id, 0, 5);
        var retracted = await alice.AddHighlight(ImpossibleAllies.Id, 5, 9);
        await alice.Delete($"/highlights/{retracted.Id()}", 200);
        await alice.AddComment(ImpossibleAllies.Id, new { start = 1, end = 4, body = "A note" });

        var list = await alice.GetJson("/documents");

        Assert.Equal(2, list.GetArrayLength());
        var allies = list.EnumerateArray().Single(d => d.Str("sourceFileName") == "002_edba6911ec15c48d.txt");
        Assert.Equal("Impossible Allies? Soviet Views of France and the German Question in the 1950s", allies.Str("title"));
        Assert.Equal(SeedText("002_").EnumerateRunes().Count(), allies.GetProperty("length").GetInt32());
        Assert.Equal(1, allies.GetProperty("highlights").GetInt32());
        Assert.Equal(1, allies.GetProperty("comments").GetInt32());
        var renault = list.EnumerateArray().Single(d => d.Str("sourceFileName") == "000_d91c4fa1a0caefbe.txt");
        Assert.StartsWith("“Renault” — “Kamaz”", renault.Str("title"));
        Assert.Equal(0, renault.GetProperty("highlights").GetInt32());
    }

    [Fact]
    public async Task A_document_is_returned_with_its_exact_text_and_hash()
    {
        var doc = await As("alice").GetJson($"/documents/{RenaultKamaz.Id}");
        var text = SeedText("000_");
        Assert.Equal(text, doc.Str("text"));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text))), doc.Str("sha256"));
    }

    [Fact]
    public async Task An_unknown_document_is_a_404_problem()
    {
        var result = await As("alice").Get($"/documents/{Guid.NewGuid()}", 404);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
    }

    [Fact]
    public async Task Importing_a_text_twice_gives_the_same_document_and_one_event()
    {
        var alice = As("alice");
        var before = await EventCountAsync();

        var first = await alice.Post("/documents", new { title = "Letters", text = "Dear Maurice,\nthe talks went well." }, 201);
        var second = await As("bob").Post("/documents", new { title = "Other title", text = "Dear Maurice,\nthe talks went well." }, 200);

        Assert.Equal(first.ReadAsJson<JsonElement>().Id(), second.ReadAsJson<JsonElement>().Id());
        Assert.Equal("Letters", second.ReadAsJson<JsonElement>().Str("title"));
        Assert.Equal(before + 1, await EventCountAsync());
        Assert.Equal(3, (await alice.GetJson("/documents")).GetArrayLength());
    }

    [Fact]
    public async Task A_plain_text_body_imports_with_title_from_the_query()
    {
        var result = await As("alice").Send(s =>
        {
            ApiUser.WithQuery(s.Post.Text("Первая строка\nsecond line 😀"), "/documents?title=Notes&sourceFileName=notes.txt");
            s.StatusCodeShouldBe(201);
        });
        var doc = result.ReadAsJson<JsonElement>();
        Assert.Equal("Notes", doc.Str("title"));
        Assert.Equal("notes.txt", doc.Str("sourceFileName"));
        Assert.Equal("Первая строка\nsecond line 😀".EnumerateRunes().Count(), doc.GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task Bad_imports_get_problems_and_store_nothing()
    {
        var alice = As("alice");
        var before = await EventCountAsync();

        await alice.Post("/documents", new { title = "Empty", text = "   " }, 400);
        await alice.Post("/documents", new { title = "Binary", text = "a\0b" }, 400);
        await alice.Post("/documents", new { title = "Huge", text = new string('x', 2 * 1024 * 1024 + 1) }, 413);
        await alice.Send(s => s.Post.ByteArray([0x48, 0xC3, 0x28, 0x0A]).ContentType("text/plain").ToUrl("/documents"), 400);
        await alice.Send(s => s.Post.ByteArray(Encoding.UTF8.GetBytes("<p>hi</p>")).ContentType("application/pdf").ToUrl("/documents"), 415);
        await alice.Send(s => s.Post.ByteArray(Encoding.UTF8.GetBytes("{\"text\": ")).ContentType("application/json").ToUrl("/documents"), 400);

        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task Seeds_are_imported_once_across_restarts()
    {
        // A second server start against the same database finds the seeds already there.
        AppFixture.ConfigureEnvironment();
        await using (var restarted = await AlbaHost.For<Program>())
        {
            await using var session = restarted.Services.GetRequiredService<IDocumentStore>().QuerySession();
            Assert.Equal(2, await session.Query<Document>().CountAsync());
        }

        await using var check = Store.QuerySession();
        var imports = await check.Events.QueryRawEventDataOnly<DocumentImported>().ToListAsync();
        Assert.Equal(2, imports.Count);
        Assert.Equal(imports.Select(i => i.DocumentId).Distinct().Count(), imports.Count);
    }
}
