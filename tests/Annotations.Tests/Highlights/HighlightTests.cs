using System.Text.Json;
using Annotations.Tests.Infrastructure;

namespace Annotations.Tests.Highlights;

public class HighlightTests(AppFixture app) : IntegrationContext(app)
{
    private static int CodePointIndexOf(string text, string fragment) =>
        text[..text.IndexOf(fragment, StringComparison.Ordinal)].EnumerateRunes().Count();

    [Fact]
    public async Task A_highlight_stores_position_and_quote_computed_from_the_text()
    {
        const string fragment = "courtship of France";
        var start = CodePointIndexOf(ImpossibleAllies.Text, fragment);

        var result = await As("alice").Post($"/documents/{ImpossibleAllies.Id}/highlights",
            new { start, end = start + fragment.Length, exact = fragment, label = "thesis", color = "#ffd400", tags = new[] { "france", "france", " détente " } }, 201);

        var h = result.ReadAsJson<JsonElement>();
        Assert.Equal("\"1\"", result.Context.Response.Headers.ETag.ToString());
        Assert.Equal($"/highlights/{h.Id()}", result.Context.Response.Headers.Location.ToString());
        Assert.Equal(fragment, h.GetProperty("quote").Str("exact"));
        Assert.Equal(32, h.GetProperty("quote").Str("prefix").EnumerateRunes().Count());
        Assert.EndsWith("1950s was \n\n", h.GetProperty("quote").Str("prefix"));
        Assert.StartsWith(" – a state", h.GetProperty("quote").Str("suffix"));
        Assert.Equal(new[] { "france", "détente" }, h.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("alice", h.Str("author"));
        Assert.Equal(1, h.Version());

        var read = await As("bob").Get($"/highlights/{h.Id()}");
        Assert.Equal("\"1\"", read.Context.Response.Headers.ETag.ToString());
    }

    [Fact]
    public async Task Offsets_count_code_points_so_emoji_and_old_italic_take_one_position_each()
    {
        var alice = As("alice");
        const string text = "Note 𝔉𝔯𝔞𝔫𝔠𝔢 😀 and 𐌰 then ordinary text.";
        var doc = (await alice.Post("/documents", new { title = "Astral", text }, 201)).ReadAsJson<JsonElement>();

        // "𝔉𝔯𝔞𝔫𝔠𝔢" starts at code point 5 and is 6 code points (12 UTF-16 chars) long.
        var h = await alice.AddHighlight(doc.Id(), 5, 11, new { exact = "𝔉𝔯𝔞𝔫𝔠𝔢" });
        Assert.Equal("Note ", h.GetProperty("quote").Str("prefix"));
        Assert.StartsWith(" 😀 and 𐌰", h.GetProperty("quote").Str("suffix"));

        var emoji = await alice.AddHighlight(doc.Id(), 12, 13);
        Assert.Equal("😀", emoji.GetProperty("quote").Str("exact"));
        var gothic = await alice.AddHighlight(doc.Id(), 18, 19);
        Assert.Equal("𐌰", gothic.GetProperty("quote").Str("exact"));

        var last = text.EnumerateRunes().Count();
        await alice.AddHighlight(doc.Id(), last - 1, last, new { exact = "." });
        await alice.Post($"/documents/{doc.Id()}/highlights", new { start = last - 1, end = last + 1 }, 422);
    }

    [Fact]
    public async Task A_quote_that_does_not_match_the_range_is_rejected_and_nothing_is_stored()
    {
        var before = await EventCountAsync();
        var result = await As("alice").Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 0, end = 9, exact = "Something else" }, 422);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.Contains("does not match", result.ReadAsJson<JsonElement>().Str("detail"));
        Assert.Equal(before, await EventCountAsync());
    }

    public static TheoryData<string, int> BadHighlightRequests => new()
    {
        { """{"start": 10, "end": 10}""", 400 },
        { """{"start": 20, "end": 10}""", 400 },
        { """{"start": -1, "end": 10}""", 400 },
        { """{"start": 10}""", 400 },
        { """{"start": 10, "end": 99999999}""", 422 },
        { """{"start": "ten", "end": 20}""", 400 },
        { """{"start": 1, "end": 20, "tags": "not-a-list"}""", 400 },
        { """{"start": 1, "end": 20, "colour": "red"}""", 400 },
        { """{"start": 1, "end": 20, "label": "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"}""", 400 },
        { """{"start": 1, "end": """, 400 },
    };

    [Theory]
    [MemberData(nameof(BadHighlightRequests))]
    public async Task Bad_highlight_requests_get_problem_details_and_store_nothing(string json, int status)
    {
        await AssertRejectedAsync($"/documents/{ImpossibleAllies.Id}/highlights", json, status);
    }

    [Fact]
    public async Task Highlighting_an_unknown_document_is_404()
    {
        await As("alice").Post($"/documents/{Guid.NewGuid()}/highlights", new { start = 0, end = 3 }, 404);
    }

    [Fact]
    public async Task Relabelling_needs_the_current_version_when_If_Match_is_given()
    {
        var alice = As("alice");
        var h = await alice.AddHighlight(ImpossibleAllies.Id, 0, 10, new { label = "first" });

        var changed = await alice.Patch($"/highlights/{h.Id()}", new { label = "second", tags = new[] { "x" } }, 200, s => s.WithRequestHeader("If-Match", "\"1\""));
        Assert.Equal("\"2\"", changed.Context.Response.Headers.ETag.ToString());
        Assert.Equal("second", changed.ReadAsJson<JsonElement>().Str("label"));

        var before = await EventCountAsync();
        await alice.Patch($"/highlights/{h.Id()}", new { label = "third" }, 412, s => s.WithRequestHeader("If-Match", "\"1\""));
        await alice.Patch($"/highlights/{h.Id()}?expectedVersion=1", new { label = "third" }, 412);
        Assert.Equal(before, await EventCountAsync());

        var current = await alice.GetJson($"/highlights/{h.Id()}");
        Assert.Equal("second", current.Str("label"));
        Assert.Equal(new[] { "x" }, current.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(2, current.Version());
    }

    [Fact]
    public async Task Only_the_author_relabels_or_retracts_a_highlight()
    {
        var h = await As("alice").AddHighlight(ImpossibleAllies.Id, 0, 10);
        var before = await EventCountAsync();
        await As("bob").Patch($"/highlights/{h.Id()}", new { label = "mine now" }, 403);
        await As("bob").Delete($"/highlights/{h.Id()}", 403);
        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task A_retracted_highlight_leaves_the_layer_and_cannot_be_retracted_again()
    {
        var alice = As("alice");
        var kept = await alice.AddHighlight(ImpossibleAllies.Id, 40, 50);
        var gone = await alice.AddHighlight(ImpossibleAllies.Id, 10, 20);

        var retracted = (await alice.Delete($"/highlights/{gone.Id()}?reason=wrong%20passage", 200)).ReadAsJson<JsonElement>();
        Assert.True(retracted.GetProperty("retracted").GetBoolean());
        Assert.Equal("wrong passage", retracted.Str("retractionReason"));
        await alice.Delete($"/highlights/{gone.Id()}", 409);
        await alice.Patch($"/highlights/{gone.Id()}", new { label = "late" }, 409);

        var layer = await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations");
        Assert.Equal(new[] { kept.Id() }, layer.GetProperty("highlights").EnumerateArray().Select(x => x.Id()));
    }

    [Fact]
    public async Task A_retried_post_with_the_same_idempotency_key_creates_one_highlight()
    {
        var alice = As("alice");
        var before = await EventCountAsync();
        void Key(Alba.Scenario s) => s.WithRequestHeader("Idempotency-Key", "retry-42");

        var first = await alice.Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 3, end = 8 }, 201, Key);
        var again = await alice.Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 3, end = 8 }, 201, Key);
        Assert.Equal(first.ReadAsJson<JsonElement>().Id(), again.ReadAsJson<JsonElement>().Id());
        Assert.Equal("true", again.Context.Response.Headers["Idempotent-Replayed"].ToString());

        // Ten retries racing each other still give one highlight.
        var racing = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            alice.Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 100, end = 120, commandId = "race-1" })));
        Assert.All(racing, r => Assert.Equal(201, r.Context.Response.StatusCode));
        Assert.Single(racing.Select(r => r.ReadAsJson<JsonElement>().Id()).Distinct());

        // The same key from another user is another command.
        var bobs = await As("bob").Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 3, end = 8 }, 201, Key);
        Assert.NotEqual(first.ReadAsJson<JsonElement>().Id(), bobs.ReadAsJson<JsonElement>().Id());

        // Reusing a key for a different request is an error, not a silent replay.
        await alice.Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 30, end = 38 }, 422, Key);

        Assert.Equal(before + 3, await EventCountAsync());
        var layer = await alice.GetJson($"/documents/{ImpossibleAllies.Id}/annotations");
        Assert.Equal(3, layer.GetProperty("highlights").GetArrayLength());
    }
}
