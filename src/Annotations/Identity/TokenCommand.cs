namespace Annotations.Identity;

public static class TokenCommand
{
    /// <summary>Prints a signed token for <c>args[1]</c>, alone on the last line so scripts can capture it.</summary>
    public static int Run(string[] args, TokenSettings settings)
    {
        if (args.Length < 2 || string.IsNullOrWhiteSpace(args[1]) || args[1].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: token NAME [--hours N]   (prints a bearer token for the local user NAME)");
            return 2;
        }

        TimeSpan? lifetime = null;
        var hoursAt = Array.IndexOf(args, "--hours");
        if (hoursAt > 0)
        {
            if (hoursAt + 1 >= args.Length || !double.TryParse(args[hoursAt + 1], System.Globalization.CultureInfo.InvariantCulture, out var hours) || hours <= 0)
            {
                Console.Error.WriteLine("--hours takes a positive number");
                return 2;
            }
            lifetime = TimeSpan.FromHours(hours);
        }

        Console.WriteLine($"Bearer token for '{args[1]}' (issuer {settings.Issuer}, audience {settings.Audience}):");
        Console.WriteLine(settings.Mint(args[1], lifetime));
        return 0;
    }
}
