using Annotations.Citations;

namespace Annotations.Tests.Citations;

public class TextDiffTests
{
    private static string Show(IEnumerable<DiffSegment> diff) =>
        string.Concat(diff.Select(d => d.Op switch { DiffSegment.Insert => $"[+{d.Text}]", DiffSegment.Delete => $"[-{d.Text}]", _ => d.Text }));

    [Fact]
    public void A_corrected_year_shows_as_one_replaced_digit() =>
        Assert.Equal("Konflikt, 19[-4][+5]7-1956", Show(TextDiff.Compute("Konflikt, 1947-1956", "Konflikt, 1957-1956")));

    [Fact]
    public void Words_run_together_are_split_by_one_insertion() =>
        Assert.Equal("Yanvarya[+ ]1956g.", Show(TextDiff.Compute("Yanvarya1956g.", "Yanvarya 1956g.")));

    [Fact]
    public void Restored_text_is_one_insertion_and_identical_texts_are_one_equal_segment()
    {
        Assert.Equal("[+Restored footnote.]", Show(TextDiff.Compute("", "Restored footnote.")));
        Assert.Equal(new[] { new DiffSegment(DiffSegment.Equal, "Same") }, TextDiff.Compute("Same", "Same"));
    }

    [Fact]
    public void Astral_characters_are_never_split()
    {
        var diff = TextDiff.Compute("a😀b", "a😁b");
        Assert.Equal("a[-😀][+😁]b", Show(diff));
    }

    [Fact]
    public void Applying_the_diff_gives_both_texts_back()
    {
        const string before = "Drektivy dlya Delegatsii SSSR na Soveshchanii Glav Pravutel’stv Chetyrekh Derzhav";
        const string after = "Direktivy dlya Delegatsii SSSR na Soveshchanii Glav Pravitel’stv Chetyrekh Derzhav";
        var diff = TextDiff.Compute(before, after);
        Assert.Equal(before, string.Concat(diff.Where(d => d.Op != DiffSegment.Insert).Select(d => d.Text)));
        Assert.Equal(after, string.Concat(diff.Where(d => d.Op != DiffSegment.Delete).Select(d => d.Text)));
        Assert.Equal(2, diff.Count(d => d.Op == DiffSegment.Insert));
    }
}
