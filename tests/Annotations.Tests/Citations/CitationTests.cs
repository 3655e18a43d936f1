using System.Text.Json;
using Annotations.Citations;
using Annotations.Tests.Infrastructure;
using Marten;

namespace Annotations.Tests.Citations;

public class CitationTests(AppFixture app) : IntegrationContext(app)
{
    private async Task<JsonElement> CitationAsync(Guid documentId, string kind, int number)
    {
        var all = await As("alice").GetJson($"/documents/{documentId}/citations");
        return all.EnumerateArray().Single(c => c.Str("kind") == kind && c.GetProperty("number").GetInt32() == number);
    }

    private Task<JsonElement> FootnoteAsync(int number) => CitationAsync(ImpossibleAllies.Id, "Footnote", number);

    private static async Task<JsonElement> ProposeAsync(ApiUser who, Guid citationId, object body) =>
        (await who.Post($"/citations/{citationId}/proposals", body, 201)).ReadAsJson<JsonElement>();

    private static Guid NewestProposal(JsonElement citation) =>
        citation.GetProperty("openProposals").EnumerateArray().Last().Id();

    [Fact]
    public async Task Importing_identifies_every_citation_with_its_condition()
    {
        var footnotes = await As("alice").GetJson($"/documents/{ImpossibleAllies.Id}/citations");
        Assert.Equal(56, footnotes.GetArrayLength());
        Assert.Equal(Enumerable.Range(1, 56), footnotes.EnumerateArray().Select(c => c.GetProperty("number").GetInt32()));
        Assert.Equal("Missing", footnotes[53].Str("condition"));
        Assert.Equal("Damaged", footnotes[52].Str("condition"));
        Assert.Equal(5, footnotes[0].GetProperty("ranges").GetArrayLength());
        var mark = footnotes[0].GetProperty("marks").EnumerateArray().Single();
        Assert.Equal("1", ImpossibleAllies.Text.Substring(ImpossibleAllies.CodePoints.Slice(0, mark.GetProperty("start").GetInt32()).Length, 1));

        var entries = await As("alice").GetJson($"/documents/{RenaultKamaz.Id}/citations");
        Assert.Equal(35, entries.GetArrayLength());
        Assert.All(entries.EnumerateArray(), e => Assert.Equal(("BibliographyEntry", "Intact", false), (e.Str("kind"), e.Str("condition"), e.GetProperty("corrected").GetBoolean())));
        Assert.Equal("Roussel E. Le Président d’avant la crise. P., 1987.", entries[34].Str("originalText"));
        Assert.Equal(entries[34].Str("originalText"), entries[34].Str("currentText"));
    }

    [Fact]
    public async Task A_correction_is_proposed_revised_discussed_accepted_and_then_superseded()
    {
        var alice = As("alice");
        var footnote50 = await FootnoteAsync(50);
        var id = footnote50.Id();
        var original = footnote50.Str("originalText");
        var fixedOnce = original.Replace("1947-1946", "1947-1956");

        var proposed = await ProposeAsync(alice, id, new { correctedText = fixedOnce.Replace("Demokratiya", "Demokratia"), rationale = "The range runs backwards.", fields = new { year = "1947-1956" } });
        var proposalId = NewestProposal(proposed);
        var revised = (await alice.Patch($"/citations/{id}/proposals/{proposalId}", new { correctedText = fixedOnce }, 200)).ReadAsJson<JsonElement>();
        var open = revised.GetProperty("openProposals").EnumerateArray().Single();
        Assert.Equal((fixedOnce, 1, "1947-1956"), (open.Str("correctedText"), open.GetProperty("revisions").GetInt32(), open.GetProperty("fields").Str("year")));

        await As("bob").AddComment(ImpossibleAllies.Id, new { citationId = id, proposalId, body = "Checked against the 2003 edition." });
        var withComment = await As("bob").GetJson($"/citations/{id}");
        Assert.Equal("Checked against the 2003 edition.", withComment.GetProperty("openProposals")[0].GetProperty("comments")[0].Str("body"));

        var accepted = (await As("rita").Post($"/citations/{id}/proposals/{proposalId}/accept", new { reason = "Confirmed in the catalogue." }, 200)).ReadAsJson<JsonElement>();
        Assert.True(accepted.GetProperty("corrected").GetBoolean());
        Assert.Equal(fixedOnce, accepted.Str("currentText"));
        Assert.Equal(original, accepted.Str("originalText"));
        Assert.Equal(("rita", "Confirmed in the catalogue."), (accepted.GetProperty("acceptedProposal").Str("decidedBy"), accepted.GetProperty("acceptedProposal").Str("decisionReason")));
        Assert.Empty(accepted.GetProperty("openProposals").EnumerateArray());

        // A later accepted proposal replaces the earlier one.
        var fixedTwice = fixedOnce.Replace("Blizhnevostochnyi", "Blizhnevostochnyi");
        fixedTwice = fixedTwice.Replace("doc.272.", "doc. 272.");
        var second = NewestProposal(await ProposeAsync(As("bob"), id, new { correctedText = fixedTwice }));
        var superseding = (await As("rob").Post($"/citations/{id}/proposals/{second}/accept", new { reason = "House style." }, 200)).ReadAsJson<JsonElement>();
        Assert.Equal(fixedTwice, superseding.Str("currentText"));
        Assert.Equal(second, superseding.GetProperty("acceptedProposal").Id());

        await using var session = Store.QuerySession();
        var citation = await session.LoadAsync<Citation>(id);
        Assert.Equal(ProposalStatus.Superseded, citation!.Proposal(proposalId)!.Status);
        var acceptance = (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).OfType<CitationCorrectionAccepted>().Last();
        Assert.Equal(proposalId, acceptance.SupersededProposalId);
    }

    [Fact]
    public async Task Rejection_and_withdrawal_leave_the_citation_as_printed()
    {
        var id = (await FootnoteAsync(35)).Id();
        var rejected = NewestProposal(await ProposeAsync(As("alice"), id, new { correctedText = "Nonsense." }));
        var afterReject = (await As("rob").Post($"/citations/{id}/proposals/{rejected}/reject", new { reason = "Not supported by the source." }, 200)).ReadAsJson<JsonElement>();
        Assert.False(afterReject.GetProperty("corrected").GetBoolean());
        Assert.Empty(afterReject.GetProperty("openProposals").EnumerateArray());

        var withdrawn = NewestProposal(await ProposeAsync(As("alice"), id, new { correctedText = "Second thoughts." }));
        await As("bob").Delete($"/citations/{id}/proposals/{withdrawn}", 403);
        await As("alice").Delete($"/citations/{id}/proposals/{withdrawn}", 200);
        await As("alice").Patch($"/citations/{id}/proposals/{withdrawn}", new { correctedText = "Too late." }, 409);
        await As("rita").Post($"/citations/{id}/proposals/{withdrawn}/accept", new { reason = "x" }, 409);
        await As("bob").Post($"/documents/{ImpossibleAllies.Id}/comments", new { citationId = id, proposalId = withdrawn, body = "Gone?" }, 409);

        await using var session = Store.QuerySession();
        var citation = await session.LoadAsync<Citation>(id);
        Assert.Equal((ProposalStatus.Rejected, ProposalStatus.Withdrawn), (citation!.Proposal(rejected)!.Status, citation.Proposal(withdrawn)!.Status));
        Assert.Equal(citation.OriginalText, citation.CurrentText);
    }

    [Fact]
    public async Task Only_reviewers_decide_and_never_on_their_own_proposals()
    {
        var id = (await FootnoteAsync(23)).Id();
        var ritas = NewestProposal(await ProposeAsync(As("rita"), id, new { correctedText = "Corrected by rita." }));
        var before = await EventCountAsync();

        var own = await As("rita").Post($"/citations/{id}/proposals/{ritas}/accept", new { reason = "Looks right to me." }, 403);
        Assert.Contains("own proposal", own.ReadAsJson<JsonElement>().Str("detail"));
        await As("bob").Post($"/citations/{id}/proposals/{ritas}/accept", new { reason = "I am no reviewer." }, 403);
        await As("alice").Patch($"/citations/{id}/proposals/{ritas}", new { correctedText = "Not mine to revise." }, 403);
        Assert.Equal(before, await EventCountAsync());

        await As("rob").Post($"/citations/{id}/proposals/{ritas}/accept", new { reason = "Checked." }, 200);
    }

    [Fact]
    public async Task Two_reviewers_deciding_at_once_give_one_decision_and_one_409()
    {
        var id = (await FootnoteAsync(28)).Id();
        var proposal = NewestProposal(await ProposeAsync(As("alice"), id,
            new { correctedText = "“Direktivy dlya Delegatsii SSSR na Soveshchanii Glav Pravitel’stv Chetyrekh Derzhav”, AVPRF F.6, Op.14,\nPap.3, D.43, Ll.155-156." }));

        for (var round = 0; round < 3; round++)
        {
            var target = round == 0 ? proposal : NewestProposal(await ProposeAsync(As("alice"), id, new { correctedText = $"Attempt {round}." }));
            var decisions = await Task.WhenAll(
                As("rita").Post($"/citations/{id}/proposals/{target}/accept", new { reason = "Yes." }),
                As("rob").Post($"/citations/{id}/proposals/{target}/reject", new { reason = "No." }));
            var statuses = decisions.Select(d => d.Context.Response.StatusCode).Order().ToList();
            Assert.Equal(200, statuses[0]);
            Assert.Contains(statuses[1], new[] { 409 });

            await using var session = Store.QuerySession();
            var events = await session.Events.FetchStreamAsync(id);
            Assert.Single(events.Select(e => e.Data).Where(e => e is CitationCorrectionAccepted a && a.ProposalId == target || e is CitationCorrectionRejected r && r.ProposalId == target));
        }
    }

    [Fact]
    public async Task Bad_correction_requests_get_problems_and_store_nothing()
    {
        var footnote = await FootnoteAsync(17);
        var id = footnote.Id();
        var proposal = NewestProposal(await ProposeAsync(As("alice"), id, new { correctedText = "New Times no.31 (1954), pp. 4-8." }));
        var before = await EventCountAsync();

        await AssertRejectedAsync($"/citations/{id}/proposals", """{"correctedText": "   "}""", 400);
        await AssertRejectedAsync($"/citations/{id}/proposals", $$"""{"correctedText": {{JsonSerializer.Serialize(footnote.Str("originalText"))}}}""", 422);
        await AssertRejectedAsync($"/citations/{id}/proposals", """{"correctedText": "x", "fields": {"url": "not a url"}}""", 400);
        await AssertRejectedAsync($"/citations/{id}/proposals", """{"correctedText": 5}""", 400);
        await AssertRejectedAsync($"/citations/{id}/proposals", """{"corectedText": "typo in the field name"}""", 400);
        await AssertRejectedAsync($"/citations/{Guid.NewGuid()}/proposals", """{"correctedText": "x"}""", 404);
        await As("rita").Post($"/citations/{id}/proposals/{Guid.NewGuid()}/accept", new { reason = "x" }, 404);
        await As("alice").Post($"/citations/{id}/proposals/{proposal}/accept", new { reason = "annotators do not review" }, 403);
        await As("rita").Post($"/citations/{id}/proposals/{proposal}/accept", new { reason = " " }, 400);
        await As("rita").Post($"/citations/{id}/proposals/{proposal}/reject", new { }, 400);
        await As("alice").Post($"/citations/{id}/proposals", new { correctedText = new string('x', CitationRules.MaxText + 1) }, 400);

        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task A_retried_proposal_with_the_same_key_is_stored_once()
    {
        var id = (await FootnoteAsync(18)).Id();
        void Key(Alba.Scenario s) => s.WithRequestHeader("Idempotency-Key", "proposal-18");
        var first = await As("alice").Post($"/citations/{id}/proposals", new { correctedText = "Ibid. no.37 pp.2-5." }, 201, Key);
        var again = await As("alice").Post($"/citations/{id}/proposals", new { correctedText = "Ibid. no.37 pp.2-5." }, 201, Key);
        Assert.Equal(first.Context.Response.Headers.Location.ToString(), again.Context.Response.Headers.Location.ToString());
        Assert.Single((await As("alice").GetJson($"/citations/{id}")).GetProperty("openProposals").EnumerateArray());
    }

    [Fact]
    public async Task The_bibliography_comes_as_printed_or_corrected_with_a_character_diff()
    {
        var entry29 = await CitationAsync(RenaultKamaz.Id, "BibliographyEntry", 29);
        var corrected = entry29.Str("originalText").Replace("«Peter Lang”", "«Peter Lang»");
        var proposal = NewestProposal(await ProposeAsync(As("alice"), entry29.Id(), new { correctedText = corrected, fields = new { title = "Un projet pour l’Europe" } }));
        await As("rob").Post($"/citations/{entry29.Id()}/proposals/{proposal}/accept", new { reason = "Matching guillemets." }, 200);

        var printed = await As("bob").GetJson($"/documents/{RenaultKamaz.Id}/bibliography?corrected=false");
        Assert.Equal(35, printed.GetProperty("entries").GetArrayLength());
        Assert.Equal(entry29.Str("originalText"), printed.GetProperty("entries")[28].Str("text"));
        Assert.False(printed.GetProperty("entries")[28].GetProperty("corrected").GetBoolean());

        var current = await As("bob").GetJson($"/documents/{RenaultKamaz.Id}/bibliography?corrected=true");
        var e29 = current.GetProperty("entries")[28];
        Assert.Equal((corrected, true), (e29.Str("text"), e29.GetProperty("corrected").GetBoolean()));
        var changes = e29.GetProperty("changes").EnumerateArray().Where(c => c.Str("op") != "equal").Select(c => (c.Str("op"), c.Str("text"))).ToList();
        Assert.Equal(new[] { ("delete", "”"), ("insert", "»") }, changes);
        Assert.Equal(JsonValueKind.Null, current.GetProperty("entries")[0].GetProperty("changes").ValueKind);

        var text = await As("bob").Send(s => s.Get.Url($"/documents/{RenaultKamaz.Id}/bibliography").QueryString("format", "text"), 200);
        var lines = text.ReadAsText().TrimEnd('\n').Split('\n');
        Assert.Equal(35, lines.Length);
        Assert.Equal("1. Arzakanyan M. Ts. Velikij de Goll'. M., 2012.", lines[0]);
        Assert.Equal($"29. {corrected}", lines[28]);
        Assert.StartsWith("text/plain", text.Context.Response.ContentType);

        await As("bob").Get($"/documents/{RenaultKamaz.Id}/bibliography?corrected=maybe", 400);
    }

    [Fact]
    public async Task A_missing_footnote_can_be_restored_by_a_correction()
    {
        var footnote54 = await FootnoteAsync(54);
        Assert.Equal("", footnote54.Str("originalText"));
        var proposal = NewestProposal(await ProposeAsync(As("alice"), footnote54.Id(), new { correctedText = "Restored from the printed edition.", rationale = "Lost in extraction." }));
        await As("rita").Post($"/citations/{footnote54.Id()}/proposals/{proposal}/accept", new { reason = "Matches the journal." }, 200);

        var printed = (await As("bob").Send(s => s.Get.Url($"/documents/{ImpossibleAllies.Id}/bibliography").QueryString("corrected", "false").QueryString("format", "text"), 200)).ReadAsText();
        var corrected = (await As("bob").Send(s => s.Get.Url($"/documents/{ImpossibleAllies.Id}/bibliography").QueryString("format", "text"), 200)).ReadAsText();
        Assert.Contains("\n54. [missing]\n", printed);
        Assert.Contains("\n54. Restored from the printed edition.\n", corrected);
        Assert.Contains("\n53. “Poslanie Predsedatelya", corrected);
    }

    [Fact]
    public async Task Every_step_of_the_workflow_reaches_viewers_of_the_document()
    {
        await using var viewer = await LiveClient.ConnectAsync(Host, App.TokenFor("carol"));
        await viewer.JoinAsync(ImpossibleAllies.Id);
        var id = (await FootnoteAsync(46)).Id();

        var proposal = NewestProposal(await ProposeAsync(As("alice"), id, new { correctedText = "DDF 1956 p. 802." }));
        await As("alice").Patch($"/citations/{id}/proposals/{proposal}", new { correctedText = "DDF 1956, p. 802." }, 200);
        await As("rita").Post($"/citations/{id}/proposals/{proposal}/accept", new { reason = "House style." }, 200);
        var other = NewestProposal(await ProposeAsync(As("bob"), id, new { correctedText = "DDF 1956, vol. 1, p. 802." }));
        await As("rob").Post($"/citations/{id}/proposals/{other}/reject", new { reason = "Volume not needed." }, 200);
        var withdrawn = NewestProposal(await ProposeAsync(As("bob"), id, new { correctedText = "Withdrawn soon." }));
        await As("bob").Delete($"/citations/{id}/proposals/{withdrawn}", 200);

        var received = Enumerable.Range(0, 7).Select(_ => viewer.Next()).ToList();
        Assert.Equal(new[]
        {
            "CitationCorrectionProposed", "CitationCorrectionRevised", "CitationCorrectionAccepted", "CitationCorrectionProposed",
            "CitationCorrectionRejected", "CitationCorrectionProposed", "CitationCorrectionWithdrawn",
        }, received.Select(r => r.Str("eventType")));
        Assert.All(received, r => Assert.Equal(("citation", id), (r.Str("annotationType"), r.GetProperty("annotationId").GetGuid())));
        Assert.Equal("DDF 1956, p. 802.", received[2].GetProperty("state").Str("currentText"));
        Assert.Equal(Enumerable.Range(2, 7).Select(v => (long)v), received.Select(r => r.GetProperty("version").GetInt64()));
    }
}
