using System.Text.RegularExpressions;
using Annotations.Documents;

namespace Annotations.Citations;

public enum CitationKind { Footnote, BibliographyEntry }

/// <summary>Intact; damaged (text visibly cut off or lost); or missing (its number is skipped in the sequence).</summary>
public enum CitationCondition { Intact, Damaged, Missing }

/// <summary>One citation as found in the text. <see cref="Ranges"/> holds one code-point range per printed line.</summary>
public sealed record FoundCitation(
    int Number,
    CitationKind Kind,
    IReadOnlyList<TextPosition> Ranges,
    string RawText,
    CitationCondition Condition,
    IReadOnlyList<string> Problems);

/// <summary>A footnote reference mark in the body text (the superscript number), linked to its footnote's number.</summary>
public sealed record FootnoteMark(int Number, TextPosition Position);

public sealed record CitationExtraction(IReadOnlyList<FoundCitation> Citations, IReadOnlyList<FootnoteMark> Marks);

/// <summary>
/// Finds a document's citations: a numbered reference list ("1. …", "2. …") and footnotes ("1 …" at the start of a line,
/// numbered in sequence, continuing over the following lines). Pure: the same text always gives the same result.
/// </summary>
public static partial class CitationExtractor
{
    /// <summary>Bumped whenever the rules change, so a re-extraction can be told from the original.</summary>
    public const int Version = 1;

    // How far a footnote number may jump ahead of the last one before the line is taken for body text.
    private const int MaxFootnoteGap = 3;

    public static CitationExtraction Extract(string text)
    {
        var index = new CodePointText(text);
        var lines = Line.Split(text);
        var citations = new List<FoundCitation>();

        citations.AddRange(FindBibliography(lines, index));
        var (footnotes, footnoteLines) = FindFootnotes(lines, index);
        citations.AddRange(footnotes);
        var marks = FindMarks(lines, footnoteLines, footnotes, index);

        return new CitationExtraction(citations, marks);
    }

    private sealed record Line(int Number, int Utf16Start, string Text)
    {
        public static List<Line> Split(string text)
        {
            var result = new List<Line>();
            var start = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                if (i < text.Length && text[i] != '\n') continue;
                var end = i > start && text[i - 1] == '\r' ? i - 1 : i;
                result.Add(new Line(result.Count, start, text[start..end]));
                start = i + 1;
            }
            return result;
        }

        public bool IsBlank => string.IsNullOrWhiteSpace(Text);
    }

    [GeneratedRegex(@"^\s{0,4}(\d{1,3})\.\s+(\S.*)$")]
    private static partial Regex NumberedEntry();

    [GeneratedRegex(@"^\s?(\d{1,3})\s+(\S.*)$")]
    private static partial Regex FootnoteStart();

    [GeneratedRegex(@"^\s*https?://\S+\s*$")]
    private static partial Regex UrlOnly();

    [GeneratedRegex(@"^\s*\d{1,4}\s*$")]
    private static partial Regex PageNumber();

    // A superscript rendered inline: digits right after a letter or closing punctuation (not a dash: "1954-55" is a
    // year range), then a space, punctuation or the line's end.
    [GeneratedRegex(@"(?<=[\p{L}.,;:!?)\]”’»""])(\d{1,3})(?=[\s.,;:)]|$)")]
    private static partial Regex MarkCandidate();

    [GeneratedRegex(@"\b(1[5-9]\d\d|20\d\d)\s*[-–—]\s*(1[5-9]\d\d|20\d\d)\b")]
    private static partial Regex YearRange();

    // ---- Reference list -------------------------------------------------------------------------------------------

    private static List<FoundCitation> FindBibliography(List<Line> lines, CodePointText index)
    {
        // The list is the longest run of numbered lines that starts at 1 and counts up (gaps allowed, blank lines not).
        var best = new List<(Line Line, int Number, int ContentAt)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var first = NumberedEntry().Match(lines[i].Text);
            if (!first.Success || int.Parse(first.Groups[1].Value) != 1) continue;

            var run = new List<(Line, int, int)> { (lines[i], 1, first.Groups[2].Index) };
            var last = 1;
            for (var j = i + 1; j < lines.Count; j++)
            {
                var m = NumberedEntry().Match(lines[j].Text);
                if (!m.Success) break;
                var n = int.Parse(m.Groups[1].Value);
                if (n <= last || n > last + MaxFootnoteGap) break;
                run.Add((lines[j], n, m.Groups[2].Index));
                last = n;
            }
            if (run.Count > best.Count) best = run;
        }

        if (best.Count < 3) return [];

        var result = new List<FoundCitation>();
        var expected = 1;
        foreach (var (line, number, contentAt) in best)
        {
            for (; expected < number; expected++) result.Add(Missing(expected, CitationKind.BibliographyEntry));
            var segment = Segment(line, contentAt, index);
            result.Add(Found(number, CitationKind.BibliographyEntry, [segment], index, lostTextAfter: false));
            expected = number + 1;
        }
        return result;
    }

    // ---- Footnotes ------------------------------------------------------------------------------------------------

    private static (List<FoundCitation> Footnotes, HashSet<int> FootnoteLines) FindFootnotes(List<Line> lines, CodePointText index)
    {
        var result = new List<FoundCitation>();
        var used = new HashSet<int>();
        var last = 0;

        for (var i = 0; i < lines.Count; i++)
        {
            var m = FootnoteStart().Match(lines[i].Text);
            if (!m.Success || NumberedEntry().IsMatch(lines[i].Text)) continue;
            var number = int.Parse(m.Groups[1].Value);
            if (number <= last || number > last + MaxFootnoteGap) continue;

            for (var missing = last + 1; missing < number; missing++) result.Add(Missing(missing, CitationKind.Footnote));
            last = number;

            var segments = new List<TextPosition> { Segment(lines[i], m.Groups[2].Index, index) };
            used.Add(i);
            var j = i + 1;
            // Continuation lines follow directly; body text resumes after a blank line or on an indented line.
            for (; j < lines.Count; j++)
            {
                var next = lines[j];
                if (next.IsBlank || char.IsWhiteSpace(next.Text[0]) || PageNumber().IsMatch(next.Text)) break;
                if (FootnoteStart().Match(next.Text) is { Success: true } n && int.Parse(n.Groups[1].Value) is var k && k > last && k <= last + MaxFootnoteGap) break;
                segments.Add(Segment(next, 0, index));
                used.Add(j);
            }

            // A stray fragment right after the footnote (an indented scrap with no spaces, such as the tail of a
            // lost URL) means text was lost in extraction.
            var lostText = j < lines.Count && IsScrap(lines[j].Text);
            if (lostText) used.Add(j);

            // Repeated copies of a URL printed after the footnote are artefacts, not body text.
            for (var k = j; k < lines.Count && (lines[k].IsBlank || UrlOnly().IsMatch(lines[k].Text)); k++)
                if (UrlOnly().IsMatch(lines[k].Text)) used.Add(k);

            result.Add(Found(number, CitationKind.Footnote, segments, index, lostText));
        }
        return (result, used);
    }

    private static bool IsScrap(string line)
    {
        var t = line.Trim();
        return t.Length is > 0 and < 40 && !t.Contains(' ') && line.Length > 0 && char.IsWhiteSpace(line[0])
               && t.IndexOfAny(['&', '_', '=', '/']) >= 0;
    }

    // ---- Reference marks ------------------------------------------------------------------------------------------

    private static List<FootnoteMark> FindMarks(List<Line> lines, HashSet<int> footnoteLines, List<FoundCitation> footnotes, CodePointText index)
    {
        var numbers = footnotes.Select(f => f.Number).ToHashSet();
        if (numbers.Count == 0) return [];

        var marks = new List<FootnoteMark>();
        var last = 0;
        foreach (var line in lines.Where(l => !footnoteLines.Contains(l.Number)))
        {
            foreach (Match m in MarkCandidate().Matches(line.Text))
            {
                var n = int.Parse(m.Value);
                // Marks come in order; a number far from the next expected one is part of the text ("including15").
                if (n <= last || n > last + MaxFootnoteGap || !numbers.Contains(n)) continue;
                var start = index.CodePointAt(line.Utf16Start + m.Index);
                marks.Add(new FootnoteMark(n, new TextPosition(start, start + m.Length)));
                last = n;
            }
        }
        return marks;
    }

    // ---- Shared ---------------------------------------------------------------------------------------------------

    private static TextPosition Segment(Line line, int contentAt, CodePointText index)
    {
        var content = line.Text[contentAt..].TrimEnd();
        var start = index.CodePointAt(line.Utf16Start + contentAt);
        return new TextPosition(start, index.CodePointAt(line.Utf16Start + contentAt + content.Length));
    }

    private static FoundCitation Missing(int number, CitationKind kind) =>
        new(number, kind, [], "", CitationCondition.Missing, [$"No {Describe(kind)} {number} was found: the numbering skips it."]);

    private static FoundCitation Found(int number, CitationKind kind, List<TextPosition> segments, CodePointText index, bool lostTextAfter)
    {
        var raw = string.Join("\n", segments.Select(s => index.Slice(s.Start, s.End)));
        var problems = new List<string>();
        var damaged = false;

        var unclosedQuote = raw.Count(c => c is '“' or '«') > raw.Count(c => c is '”' or '»');
        var breaksOff = raw.Length > 0 && char.IsLetter(raw[^1]) && !EndsWithAbbreviation(raw);
        if (unclosedQuote && breaksOff || lostTextAfter)
        {
            damaged = true;
            problems.Add(lostTextAfter
                ? "The text breaks off and only a fragment follows: part of it was lost in extraction."
                : "The text breaks off in the middle of a quoted title.");
        }
        else if (unclosedQuote)
        {
            problems.Add("A quotation mark is opened and never closed.");
        }
        foreach (Match m in YearRange().Matches(raw))
        {
            if (int.Parse(m.Groups[1].Value) > int.Parse(m.Groups[2].Value))
                problems.Add($"The year range {m.Value} runs backwards.");
        }

        return new FoundCitation(number, kind, segments, raw, damaged ? CitationCondition.Damaged : CitationCondition.Intact, problems);
    }

    private static bool EndsWithAbbreviation(string text) =>
        text.EndsWith("op.cit", StringComparison.OrdinalIgnoreCase) || text.EndsWith("ibid", StringComparison.OrdinalIgnoreCase)
        || text.EndsWith("et al", StringComparison.OrdinalIgnoreCase);

    private static string Describe(CitationKind kind) => kind == CitationKind.Footnote ? "footnote" : "bibliography entry";
}
