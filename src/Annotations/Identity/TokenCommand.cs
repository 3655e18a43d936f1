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

        // With the embedded defaults, the first user a token is minted for owns the default workspace.
        var firstUser = Workspaces.DefaultWorkspace.FirstUserFile(settings);
        if (!File.Exists(firstUser))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(firstUser)!);
            File.WriteAllText(firstUser, args[1]);
            Console.WriteLine($"'{args[1]}' is the first user: they own the default workspace.");
        }
        Console.WriteLine($"Bearer token for '{args[1]}' (issuer {settings.Issuer}, audience {settings.Audience}):");
        Console.WriteLine(settings.Mint(args[1], lifetime));
        return 0;
    }
}
