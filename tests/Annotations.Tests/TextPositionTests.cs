using Annotations.Documents;

namespace Annotations.Tests;

public class TextPositionTests
{
    [Fact]
    public void Characters_outside_the_basic_plane_count_as_one_position()
    {
        var text = new CodePointText("a😀b𝔄c");
        Assert.Equal(5, text.Length);
        Assert.Equal("😀", text.Slice(1, 2));
        Assert.Equal("𝔄c", text.Slice(3, 5));
        Assert.Equal(3, text.CodePointAt("a😀b".Length));
    }

    [Fact]
    public void A_quote_carries_up_to_32_code_points_of_context_either_side()
    {
        var text = new CodePointText(new string('x', 40) + "TARGET" + new string('y', 10));
        var quote = text.QuoteAt(new TextPosition(40, 46));
        Assert.Equal("TARGET", quote.Exact);
        Assert.Equal(new string('x', 32), quote.Prefix);
        Assert.Equal(new string('y', 10), quote.Suffix);
    }

    [Fact]
    public void Context_never_splits_a_surrogate_pair()
    {
        var text = new CodePointText(string.Concat(Enumerable.Repeat("😀", 40)) + "!");
        var quote = text.QuoteAt(new TextPosition(40, 41));
        Assert.Equal("!", quote.Exact);
        Assert.Equal(string.Concat(Enumerable.Repeat("😀", 32)), quote.Prefix);
        Assert.Equal("", quote.Suffix);
    }

    [Theory]
    [InlineData(0, 5, true)]
    [InlineData(4, 5, true)]
    [InlineData(0, 6, false)]
    [InlineData(-1, 2, false)]
    [InlineData(3, 3, false)]
    public void A_range_must_lie_inside_the_text_and_not_be_empty(int start, int end, bool inside) =>
        Assert.Equal(inside, new CodePointText("ab😀cd").Contains(new TextPosition(start, end)));
}
