using Annotations.Infrastructure;

namespace Annotations.Documents;

/// <summary>Turns a client's range (and optional quote) into the selectors an annotation stores.</summary>
public static class Anchoring
{
    public static (TextPosition Position, TextQuote Quote) Anchor(Document document, int? start, int? end, string? exact)
    {
        if (start is null || end is null) throw RuleViolation.BadRequest("Both start and end are required (code-point offsets, end exclusive).");
        if (start < 0) throw RuleViolation.BadRequest("start must not be negative.");
        if (end <= start) throw RuleViolation.BadRequest("end must be greater than start.");

        var text = document.CodePoints;
        var position = new TextPosition(start.Value, end.Value);
        if (!text.Contains(position))
            throw RuleViolation.Unprocessable($"The range {start}..{end} lies outside the document, which is {text.Length} code points long.");

        var quote = text.QuoteAt(position);
        if (exact is not null && exact != quote.Exact)
            throw RuleViolation.Unprocessable($"The quote does not match the text at {start}..{end}, which reads \"{Shorten(quote.Exact)}\".");
        return (position, quote);
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
