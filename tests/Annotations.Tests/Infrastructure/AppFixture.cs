using System.Security.Cryptography;
using Alba;
using Annotations.Identity;
using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Annotations.Tests.Infrastructure;

/// <summary>One running server (Alba, in memory) for every integration test, against the run's PostgreSQL.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    public static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public IAlbaHost Host { get; private set; } = null!;
    public TokenSettings Tokens { get; } = new() { SigningKey = SigningKey };

    public async Task InitializeAsync()
    {
        ConfigureEnvironment();
        JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>();
    }

    /// <summary>Settings go in as environment variables so Program sees them before it builds the host.</summary>
    public static void ConfigureEnvironment()
    {
        Environment.SetEnvironmentVariable("ConnectionStrings__Annotations", TestDatabase.ConnectionString);
        Environment.SetEnvironmentVariable("Auth__SigningKey", SigningKey);
        Environment.SetEnvironmentVariable("Wolverine__Solo", "true");
        Environment.SetEnvironmentVariable("Workspaces__DefaultOwner", IntegrationContext.Owner);
        Environment.SetEnvironmentVariable("RateLimits__WritesPerMinute", "1000000");
        Environment.SetEnvironmentVariable("Feed__HeartbeatSeconds", "1");
        // Webhook tests start nodes of their own that deliver; this shared one does not.
        Environment.SetEnvironmentVariable("Webhooks__Dispatch", "false");
    }

    public string TokenFor(string user) => Tokens.Mint(user);

    /// <summary>The API client library, talking to the in-memory server as <paramref name="user"/>.</summary>
    public Annotations.Client.AnnotationsClient ClientFor(string user) => new(Host.Server.CreateClient(), TokenFor(user));

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        TestDatabase.Shutdown();
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}
