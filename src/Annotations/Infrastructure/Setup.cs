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
using Annotations.Workspaces;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
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
        services.AddSingleton<LivePublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<LivePublisher>());

        services.AddMarten(sp =>
            {
                var opts = StoreOptionsFor(connectionString);
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
        services.AddSingleton(tokens);
        services.AddSingleton<DefaultWorkspace>();
        services.AddScoped<Access>();
        services.AddSingleton<ConnectionRegistry>();

        const string either = "BearerOrApiKey";
        services.AddAuthentication(either)
            .AddPolicyScheme(either, "Bearer token or API key", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith(ApiKeys.Scheme + " ", StringComparison.OrdinalIgnoreCase) || ctx.Request.Headers.ContainsKey("X-Api-Key")
                    ? ApiKeys.Scheme
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeys>(ApiKeys.Scheme, null)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                if (tokens.Authority is { Length: > 0 } authority)
                {
                    // An external OpenID Connect issuer: keys come from its discovery document.
                    o.Authority = authority;
                    o.Audience = tokens.Audience;
                    o.TokenValidationParameters = tokens.ValidationParameters(null);
                }
                else
                {
                    o.TokenValidationParameters = tokens.ValidationParameters(tokens.LoadOrCreateKey());
                }
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

        // Writes are limited per user; reads are not. Over the limit: 429 with Retry-After.
        var writesPerMinute = configuration.GetValue("RateLimits:WritesPerMinute", 600);
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || http.User.Identity?.IsAuthenticated != true
                    ? RateLimitPartition.GetNoLimiter("reads")
                    : RateLimitPartition.GetTokenBucketLimiter(http.User.Author(), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = writesPerMinute,
                        TokensPerPeriod = writesPerMinute,
                        ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    }));
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = $"At most {writesPerMinute} changes a minute; retry after the time in Retry-After." },
                });
            };
        });

        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.ConfigureHttpJsonOptions(o =>
        {
            // A misspelt field is an error, not something silently ignored.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        var clientTimeout = TimeSpan.FromSeconds(configuration.GetValue("Presence:ClientTimeoutSeconds", 30.0));
        services.AddSignalR(o =>
            {
                // A connection that stops answering is dropped (and leaves presence) after this long.
                o.ClientTimeoutInterval = clientTimeout;
                o.KeepAliveInterval = clientTimeout / 2;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
    }

    /// <summary>The event store's configuration: projections, indexes and the DistributedLock workaround.</summary>
    public static StoreOptions StoreOptionsFor(string connectionString)
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
        opts.Projections.Snapshot<Workspace>(SnapshotLifecycle.Inline);
        opts.Projections.Add<DocumentActivityProjection>(ProjectionLifecycle.Async);

        opts.Schema.For<Document>().Index(x => x.WorkspaceId);
        opts.Schema.For<Highlight>().Index(x => x.DocumentId);
        opts.Schema.For<Comment>().Index(x => x.DocumentId);
        opts.Schema.For<Citation>().Index(x => x.DocumentId);
        opts.Schema.For<WebhookDelivery>().Index(x => x.WebhookId);
        opts.Schema.For<WebhookCursor>();
        opts.Schema.For<WebhookSecret>();
        return opts;
    }

    public static void UseAnnotations(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
        app.MapWolverineEndpoints();
        app.MapHub<AnnotationsHub>(AnnotationsHub.Path);
    }
}
