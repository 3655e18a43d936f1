using Annotations.Activity;
using Annotations.Citations;
using Annotations.Comments;
using Annotations.Documents;
using Annotations.Feed;
using Annotations.Highlights;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Live;
using Annotations.Webhooks;
using System.Text.Json.Serialization;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace Annotations;

public static class Setup
{
    public const string SchemaName = "annotations";

    public static void AddAnnotations(this WebApplicationBuilder builder, string connectionString, bool soloNode)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => Npgsql.NpgsqlDataSource.Create(connectionString));
        services.AddSingleton<FeedReader>();
        services.AddSingleton<HighWaterSignal>();
        services.AddHostedService(sp => sp.GetRequiredService<HighWaterSignal>());
        services.AddHttpClient(WebhookDispatcher.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(configuration.GetValue("Webhooks:TimeoutSeconds", 10.0)));
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton(ReviewerList.From(configuration));
        services.AddSingleton<LivePublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<LivePublisher>());

        services.AddMarten(sp =>
            {
                var opts = new StoreOptions();
                opts.Connection(connectionString);
                opts.DatabaseSchemaName = SchemaName;

                // The original DistributedLock.Postgres stands in for the patched one (see Directory.Packages.props);
                // it cannot take Weasel's multiplexed lock, so the daemon locks inside a transaction instead.
                opts.Events.UseAdvisoryLockTransaction = true;
                opts.Events.UseIdentityMapForAggregates = true;

                opts.Projections.Snapshot<Document>(SnapshotLifecycle.Inline);
                opts.Projections.Snapshot<Highlight>(SnapshotLifecycle.Inline);
                opts.Projections.Snapshot<Comment>(SnapshotLifecycle.Inline);
                opts.Projections.Snapshot<Citation>(SnapshotLifecycle.Inline);
                opts.Projections.Snapshot<Webhook>(SnapshotLifecycle.Inline);
                opts.Projections.Add<DocumentActivityProjection>(ProjectionLifecycle.Async);

                opts.Schema.For<Highlight>().Index(x => x.DocumentId);
                opts.Schema.For<Comment>().Index(x => x.DocumentId);
                opts.Schema.For<Citation>().Index(x => x.DocumentId);
                opts.Schema.For<WebhookDelivery>().Index(x => x.WebhookId);

                opts.Listeners.Add(sp.GetRequiredService<LivePublisher>());
                return opts;
            })
            .UseLightweightSessions()
            .AddAsyncDaemon(DaemonMode.HotCold)
            .IntegrateWithWolverine();

        builder.Host.UseWolverine(opts =>
        {
            // Endpoints live here even when another program (the benchmark) hosts the app.
            opts.ApplicationAssembly = typeof(Setup).Assembly;
            opts.UseRuntimeCompilation();
            if (soloNode) opts.Durability.Mode = DurabilityMode.Solo;
        });
        services.AddWolverineHttp();

        services.AddHostedService<SeedImporter>();

        var tokens = TokenSettings.From(configuration);
        var key = tokens.LoadOrCreateKey();
        services.AddSingleton(tokens);
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = tokens.ValidationParameters(key);
                o.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on WebSockets or EventSource: those send the token in the query string.
                    OnMessageReceived = ctx =>
                    {
                        var token = ctx.Request.Query["access_token"].ToString();
                        var path = ctx.HttpContext.Request.Path;
                        if (token.Length > 0 && (path.StartsWithSegments("/hubs") || path.StartsWithSegments("/feed/stream"))) ctx.Token = token;
                        return Task.CompletedTask;
                    },
                };
            });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.ConfigureHttpJsonOptions(o =>
        {
            // A misspelt field is an error, not something silently ignored.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        services.AddSignalR()
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
    }

    public static void UseAnnotations(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
        app.MapWolverineEndpoints();
        app.MapHub<AnnotationsHub>(AnnotationsHub.Path);
    }
}
