using System.Text.Json;
using Annotations.Identity;
using Annotations.Tests.Infrastructure;
using Marten;

namespace Annotations.Tests.Identity;

public class AuthenticationTests(AppFixture app) : IntegrationContext(app)
{
    [Fact]
    public async Task Requests_without_a_token_get_401_problem_details()
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/documents");
            s.StatusCodeShouldBe(401);
        });
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.Equal("Bearer", result.Context.Response.Headers.WWWAuthenticate.ToString());

        await Host.Scenario(s =>
        {
            s.Post.Json(new { start = 0, end = 3 }).ToUrl($"/documents/{ImpossibleAllies.Id}/highlights");
            s.StatusCodeShouldBe(401);
        });
    }

    public static TheoryData<string> BadTokens()
    {
        var key = AppFixture.SigningKey;
        var past = DateTime.UtcNow.AddHours(-3);
        return new TheoryData<string>
        {
            new TokenSettings { SigningKey = key }.Mint("alice", TimeSpan.FromHours(1), past),
            new TokenSettings { SigningKey = key, Audience = "someone-else" }.Mint("alice"),
            new TokenSettings { SigningKey = key, Issuer = "evil" }.Mint("alice"),
            new TokenSettings { SigningKey = Convert.ToBase64String(new byte[32]) }.Mint("alice"),
            "garbage.token.value",
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Expired_foreign_or_malformed_tokens_are_refused(string token)
    {
        var before = await EventCountAsync();
        await new ApiUser(Host, token).Post($"/documents/{ImpossibleAllies.Id}/highlights", new { start = 0, end = 3 }, 401);
        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task The_author_of_every_event_is_the_tokens_subject()
    {
        var h = await As("hélène").AddHighlight(ImpossibleAllies.Id, 0, 3);
        Assert.Equal("hélène", h.Str("author"));
        await using var session = Store.QuerySession();
        var e = (await session.Events.FetchStreamAsync(h.Id())).Single();
        Assert.Equal("hélène", ((Annotations.Highlights.HighlightAdded)e.Data).By);
    }

    [Fact]
    public async Task The_token_command_prints_a_valid_token_alone_on_its_last_line()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"annotations-key-{Guid.NewGuid():N}");
        var settings = new TokenSettings { SigningKeyFile = Path.Combine(folder, "signing-key") };
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(0, TokenCommand.Run(["token", "alice"], settings));
        }
        finally
        {
            Console.SetOut(original);
        }

        var last = output.ToString().TrimEnd().Split('\n')[^1].Trim();
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        var validation = await handler.ValidateTokenAsync(last, settings.ValidationParameters(settings.LoadOrCreateKey()));
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal("alice", validation.Claims["sub"]);
        Assert.True(File.Exists(settings.SigningKeyFile), "the key is created on first use and kept");
        Directory.Delete(folder, recursive: true);
    }
}
