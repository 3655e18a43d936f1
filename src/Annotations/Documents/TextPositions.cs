using System.Text;

namespace Annotations.Documents;

/// <summary>W3C TextPositionSelector: offsets in Unicode code points, <c>End</c> exclusive.</summary>
public sealed record TextPosition(int Start, int End);

/// <summary>W3C TextQuoteSelector: the exact text plus up to <see cref="TextQuote.ContextLength"/> code points either side.</summary>
public sealed record TextQuote(string Exact, string Prefix, string Suffix)
{
    public const int ContextLength = 32;
}

/// <summary>
/// A document's text indexed by code point. C# strings are UTF-16, so a character outside the Basic Multilingual
/// Plane takes two chars but counts as one position here, as the W3C selectors require.
/// </summary>
public sealed class CodePointText
{
    private readonly string _text;
    // _utf16Offsets[i] is the UTF-16 index where code point i starts; the last entry is the string's length.
    private readonly int[] _utf16Offsets;

    public CodePointText(string text)
    {
        _text = text;
        var offsets = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
        }
        offsets.Add(text.Length);
        _utf16Offsets = offsets.ToArray();
    }

    public int Length => _utf16Offsets.Length - 1;

    public static int CountCodePoints(string text) => new CodePointText(text).Length;

    public bool Contains(TextPosition position) =>
        position.Start >= 0 && position.End <= Length && position.Start < position.End;

    public string Slice(int start, int end) =>
        _text[_utf16Offsets[start].._utf16Offsets[end]];

    public TextQuote QuoteAt(TextPosition position)
    {
        var prefixStart = Math.Max(0, position.Start - TextQuote.ContextLength);
        var suffixEnd = Math.Min(Length, position.End + TextQuote.ContextLength);
        return new TextQuote(
            Slice(position.Start, position.End),
            Slice(prefixStart, position.Start),
            Slice(position.End, suffixEnd));
    }

    /// <summary>The code-point offset of a UTF-16 index (which must not fall inside a surrogate pair).</summary>
    public int CodePointAt(int utf16Index)
    {
        var index = Array.BinarySearch(_utf16Offsets, utf16Index);
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(utf16Index), "The index falls inside a surrogate pair.");
        return index;
    }
}
