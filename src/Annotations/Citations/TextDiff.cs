using System.Text;

namespace Annotations.Citations;

public sealed record DiffSegment(string Op, string Text)
{
    public const string Equal = "equal", Insert = "insert", Delete = "delete";
}

/// <summary>A character-level (code point) diff: the shortest edit keeping the longest common subsequence.</summary>
public static class TextDiff
{
    // Above this many cells in the middle part, fall back to delete-all/insert-all rather than use the memory.
    private const long MaxCells = 4_000_000;

    public static IReadOnlyList<DiffSegment> Compute(string before, string after)
    {
        var a = before.EnumerateRunes().ToArray();
        var b = after.EnumerateRunes().ToArray();

        var prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix]) prefix++;
        var suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)]) suffix++;

        var ops = new List<(string Op, Rune Rune)>();
        ops.AddRange(a[..prefix].Select(r => (DiffSegment.Equal, r)));
        ops.AddRange(Middle(a[prefix..(a.Length - suffix)], b[prefix..(b.Length - suffix)]));
        ops.AddRange(a[(a.Length - suffix)..].Select(r => (DiffSegment.Equal, r)));

        var segments = new List<DiffSegment>();
        var text = new StringBuilder();
        string? current = null;
        foreach (var (op, rune) in ops)
        {
            if (op != current && current is not null)
            {
                segments.Add(new DiffSegment(current, text.ToString()));
                text.Clear();
            }
            current = op;
            text.Append(rune.ToString());
        }
        if (current is not null) segments.Add(new DiffSegment(current, text.ToString()));
        return segments;
    }

    private static IEnumerable<(string, Rune)> Middle(Rune[] a, Rune[] b)
    {
        if ((long)a.Length * b.Length > MaxCells)
            return a.Select(r => (DiffSegment.Delete, r)).Concat(b.Select(r => (DiffSegment.Insert, r)));

        // lcs[i, j]: length of the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);

        var result = new List<(string, Rune)>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { result.Add((DiffSegment.Equal, a[x])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) result.Add((DiffSegment.Delete, a[x++]));
            else result.Add((DiffSegment.Insert, b[y++]));
        }
        while (x < a.Length) result.Add((DiffSegment.Delete, a[x++]));
        while (y < b.Length) result.Add((DiffSegment.Insert, b[y++]));
        return result;
    }
}
