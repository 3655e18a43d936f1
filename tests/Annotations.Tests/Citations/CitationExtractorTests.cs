using Annotations.Citations;
using Annotations.Documents;

namespace Annotations.Tests.Citations;

public class CitationExtractorTests
{
    private static readonly string Renault = Seed("000_d91c4fa1a0caefbe.txt");
    private static readonly string Allies = Seed("002_edba6911ec15c48d.txt");
    private static readonly CitationExtraction RenaultCitations = CitationExtractor.Extract(Renault);
    private static readonly CitationExtraction AlliesCitations = CitationExtractor.Extract(Allies);

    private static string Seed(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Seeds", file));

    private static FoundCitation Footnote(int n) => AlliesCitations.Citations.Single(c => c.Kind == CitationKind.Footnote && c.Number == n);

    private static FoundCitation Entry(int n) => RenaultCitations.Citations.Single(c => c.Kind == CitationKind.BibliographyEntry && c.Number == n);

    [Fact]
    public void The_reference_list_of_the_Renault_article_has_35_intact_entries()
    {
        var entries = RenaultCitations.Citations;
        Assert.Equal(Enumerable.Range(1, 35), entries.Select(e => e.Number));
        Assert.All(entries, e => Assert.Equal(CitationKind.BibliographyEntry, e.Kind));
        Assert.All(entries, e => Assert.Equal(CitationCondition.Intact, e.Condition));
        Assert.Empty(RenaultCitations.Marks);
    }

    [Fact]
    public void Bibliography_entries_are_read_character_for_character()
    {
        Assert.Equal("Arzakanyan M. Ts. Velikij de Goll'. M., 2012.", Entry(1).RawText);
        // The trailing no-break space after "2001." is layout, not text.
        Assert.Equal("Arzakanyan M. Ts. General de Goll' na puti k vlasti. M., 2001.", Entry(2).RawText);
        Assert.Equal("Bussière E, Willaert E. Un projet pour l’Europe. Georges Pompidou et la construction européenne. Bruxelles: «Peter Lang”, 2010.", Entry(29).RawText);
        Assert.Equal("Roussel E. Le Président d’avant la crise. P., 1987.", Entry(35).RawText);
        Assert.EndsWith("[Ehlektronnyj resurs]. Dostup dlya zaregistrirovannykh pol'zovatelej. URL: http://history.jes.su/s207987840001338-0-1", Entry(13).RawText);
        Assert.StartsWith("Barjot D., Park-Barjot R. R. Transferts de technologie", Entry(28).RawText);
        Assert.EndsWith("M.: «IVI RAN», 2013. S. 101—116.", Entry(28).RawText);
    }

    [Fact]
    public void The_Allies_article_has_56_footnotes_with_54_missing_and_53_cut_off()
    {
        var footnotes = AlliesCitations.Citations;
        Assert.Equal(Enumerable.Range(1, 56), footnotes.Select(f => f.Number));
        Assert.All(footnotes, f => Assert.Equal(CitationKind.Footnote, f.Kind));

        Assert.Equal(new[] { 54 }, footnotes.Where(f => f.Condition == CitationCondition.Missing).Select(f => f.Number));
        Assert.Empty(Footnote(54).Ranges);
        Assert.Equal(new[] { 53 }, footnotes.Where(f => f.Condition == CitationCondition.Damaged).Select(f => f.Number));
        Assert.Equal("“Poslanie Predsedatelya Soveta Ministrov SSSR N.A. Bulganina Predsedatelu Soveta Ministrov Frantsii Gi", Footnote(53).RawText);
        Assert.Contains("lost in extraction", Footnote(53).Problems.Single());
    }

    [Fact]
    public void A_footnote_continues_over_the_lines_that_follow_it()
    {
        var first = Footnote(1);
        Assert.Equal(5, first.Ranges.Count);
        Assert.Equal(
            "On the peace movement in France: Y. Santamaria, Le Parti de l’Ennemi? Le Parti Communiste Francais dans la\n" +
            "Lutte pour la Paix (1947-1958), Armand Colin: Paris 2006; A. Brogi, Confronting America, The Cold War\n" +
            "between the United States and the Communists in France and Italy, UNC Press: Chapel Hill 2011; and P. Buton,\n" +
            "“Le Mouvement des Partisans de la Paix” in S. Dockrill et al (eds), L’Europe de l’Est et de l’Ouest dans la Guerre\n" +
            "Froide, 1948-1953, PUPS: Paris 2002.",
            first.RawText);

        // Body text resumes on an indented line right after the footnote block.
        Assert.Equal("Otnosheniyak, 20 Aprelya 1956”, “Ot Atlantiki do Urala”: Sovetsko-Frantsuzskie Otnosheniya, 1956-1973 doc.3.", Footnote(3).RawText.Split('\n')[1]);
        Assert.Equal("See the account of the socialist delegation’s visit on the website Voyages en URSS http://chs.univ-\nparis1.fr/Voyages/index2.htm.", Footnote(40).RawText);
        Assert.Equal(7, Footnote(24).Ranges.Count);
    }

    [Fact]
    public void Repeated_urls_after_a_footnote_are_not_part_of_it()
    {
        Assert.EndsWith("e-dossier-no-27-molotovs-\nproposal-the-ussr-join-nato-march-1954.", Footnote(10).RawText);
        Assert.Equal(3, Footnote(10).Ranges.Count);
    }

    [Fact]
    public void Indented_and_double_spaced_footnote_numbers_are_found()
    {
        Assert.StartsWith("“Spravka o Evropeiskom Ob’edinenii Uglya i Stali", Footnote(24).RawText); // " 24  “Spravka…"
        Assert.Equal("See Sabine Jansen, “Budapeshtskii Krizis i Franko-Sovetskie Otnosheniya” in Vais & Narinsky op.cit.", Footnote(55).RawText);
    }

    [Fact]
    public void Suspect_details_are_reported_without_marking_the_citation_damaged()
    {
        Assert.Equal(CitationCondition.Intact, Footnote(50).Condition);
        Assert.Contains("The year range 1947-1946 runs backwards.", Footnote(50).Problems);
        Assert.Equal(CitationCondition.Intact, Footnote(19).Condition);
        Assert.Contains("A quotation mark is opened and never closed.", Footnote(19).Problems);
        Assert.Empty(Footnote(9).Problems);
    }

    [Fact]
    public void Every_range_is_exactly_the_text_it_claims()
    {
        foreach (var (text, extraction) in new[] { (Renault, RenaultCitations), (Allies, AlliesCitations) })
        {
            var index = new CodePointText(text);
            foreach (var c in extraction.Citations.Where(c => c.Condition != CitationCondition.Missing))
            {
                Assert.Equal(c.RawText, string.Join("\n", c.Ranges.Select(r => index.Slice(r.Start, r.End))));
                Assert.All(c.Ranges, r => Assert.Equal(index.Slice(r.Start, r.End).Trim(), index.Slice(r.Start, r.End)));
            }
        }
    }

    [Fact]
    public void Reference_marks_in_the_body_link_to_their_footnotes()
    {
        var marks = AlliesCitations.Marks;
        Assert.Equal(54, marks.Count);
        Assert.Equal(Enumerable.Range(1, 56).Except([27, 31]), marks.Select(m => m.Number));

        var index = new CodePointText(Allies);
        string Before(FootnoteMark m, int n) => index.Slice(m.Position.Start - n, m.Position.Start);
        Assert.Equal("peace movement.", Before(marks[0], 15));
        Assert.Equal("(mistrust)", Before(marks.Single(m => m.Number == 5), 10));
        Assert.Equal("Hungary.", Before(marks.Single(m => m.Number == 54), 8));
        Assert.All(marks, m => Assert.Equal(m.Number.ToString(), index.Slice(m.Position.Start, m.Position.End)));
        // "including15 million" is a word run together with a number, not a mark.
        var including = Allies.IndexOf("including15", StringComparison.Ordinal);
        Assert.DoesNotContain(marks, m => m.Position.Start == index.CodePointAt(including + "including".Length));
    }

    [Fact]
    public void A_gap_in_a_numbered_list_is_reported_as_missing()
    {
        var text = "References\n  1. First entry, 2001.\n  2. Second entry, 2002.\n  4. Fourth entry, 2004.\n  5. Fifth.\n";
        var result = CitationExtractor.Extract(text);
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, result.Citations.Select(c => c.Number));
        Assert.Equal(CitationCondition.Missing, result.Citations[2].Condition);
        Assert.Equal("Fourth entry, 2004.", result.Citations[3].RawText);
    }

    [Fact]
    public void Page_numbers_and_numbers_in_the_body_are_not_footnotes()
    {
        var text = "Body text that cites a source.1 More text\n\n1 The source, Paris 1999.\n\n\n18 \n\n2000 delegates came.\n\n40 people left early.\n";
        var result = CitationExtractor.Extract(text);
        var footnote = Assert.Single(result.Citations);
        Assert.Equal((1, "The source, Paris 1999."), (footnote.Number, footnote.RawText));
        Assert.Equal(1, Assert.Single(result.Marks).Number);
    }

    [Fact]
    public void Offsets_are_code_points_even_after_astral_characters_and_with_CRLF_line_ends()
    {
        var text = "𝔗𝔥𝔢 𝔱𝔢𝔵𝔱 said so.1\r\n\r\n1 Source 😀 here.\r\nsecond line.\r\n";
        var result = CitationExtractor.Extract(text);
        var index = new CodePointText(text);
        var footnote = Assert.Single(result.Citations);
        Assert.Equal("Source 😀 here.\nsecond line.", footnote.RawText);
        Assert.Equal("Source 😀 here.", index.Slice(footnote.Ranges[0].Start, footnote.Ranges[0].End));
        var mark = Assert.Single(result.Marks);
        Assert.Equal("𝔗𝔥𝔢 𝔱𝔢𝔵𝔱 said so.".EnumerateRunes().Count(), mark.Position.Start);
    }

    [Fact]
    public void A_text_without_citations_yields_none()
    {
        var result = CitationExtractor.Extract("Just a paragraph.\n\nAnother one, from 1956 to 1957.\n");
        Assert.Empty(result.Citations);
        Assert.Empty(result.Marks);
    }
}
