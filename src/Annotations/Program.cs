using Annotations;
using Annotations.Identity;
using Annotations.Infrastructure;
using JasperFx;

var builder = WebApplication.CreateBuilder(args);

// `token NAME [--hours N]`: mint a bearer token for a local user; needs no database.
if (args is ["token", ..])
    return TokenCommand.Run(args, TokenSettings.From(builder.Configuration));

var connectionString = builder.Configuration.GetConnectionString("Annotations");
EmbeddedPostgres? embedded = null;
if (string.IsNullOrWhiteSpace(connectionString))
{
    embedded = EmbeddedPostgres.Start(builder.Configuration["Postgres:DataDirectory"] ?? Path.Combine(".data", "postgres"));
    connectionString = embedded.ConnectionString;
}
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
    builder.WebHost.UseUrls("http://localhost:5080");

// A lone node needs no leader election; several nodes behind one database set Wolverine:Solo=false.
builder.AddAnnotations(connectionString, soloNode: builder.Configuration.GetValue("Wolverine:Solo", embedded is not null));

var app = builder.Build();
app.UseAnnotations();
app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (var url in app.Urls)
        Console.WriteLine($"Annotations is listening on {url}  (mint a token: dotnet run --project src/Annotations -- token alice)");
});

try
{
    return await app.RunJasperFxCommands(args);
}
finally
{
    embedded?.Stop();
}

public partial class Program;
