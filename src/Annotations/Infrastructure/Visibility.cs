namespace Annotations.Infrastructure;

/// <summary>An annotation is seen by the team (the default) or is private to its author.</summary>
public static class Visibility
{
    public const string Team = "team", Private = "private";

    public static bool IsPrivate(string? visibility) => visibility?.Trim().ToLowerInvariant() switch
    {
        null or "" or Team => false,
        Private => true,
        _ => throw RuleViolation.BadRequest("visibility must be team or private."),
    };
}
