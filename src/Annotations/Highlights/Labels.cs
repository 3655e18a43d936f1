using Annotations.Infrastructure;

namespace Annotations.Highlights;

/// <summary>Normalises the free-text decorations of a highlight: trimmed, bounded, empty meaning none.</summary>
public static class Labels
{
    public const int MaxLabel = 200, MaxColor = 32, MaxTags = 20, MaxTag = 50;

    public static string? Label(string? label) => Bounded(label, MaxLabel, "label");

    public static string? Color(string? color) => Bounded(color, MaxColor, "color");

    public static IReadOnlyList<string> Tags(IEnumerable<string?>? tags)
    {
        var result = (tags ?? []).Select(t => t?.Trim() ?? "").Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (result.Count > MaxTags) throw RuleViolation.BadRequest($"A highlight takes at most {MaxTags} tags.");
        if (result.FirstOrDefault(t => t.Length > MaxTag) is { } tooLong)
            throw RuleViolation.BadRequest($"The tag \"{tooLong[..20]}…\" is longer than {MaxTag} characters.");
        return result;
    }

    private static string? Bounded(string? value, int max, string name)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        return trimmed.Length <= max ? trimmed : throw RuleViolation.BadRequest($"The {name} is longer than {max} characters.");
    }
}
