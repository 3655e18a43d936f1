using System.Text.Json;
using Marten;

namespace Annotations.Documents;

/// <summary>
/// Imports the seed texts shipped in <c>Seeds/</c> at start-up. Import is idempotent by hash, so a restart imports
/// nothing new. Titles come from <c>Seeds/seeds.json</c>, since the texts' first lines are not always their titles.
/// </summary>
public sealed class SeedImporter(IDocumentStore store, IConfiguration configuration, Workspaces.DefaultWorkspace defaults, ILogger<SeedImporter> logger) : IHostedService
{
    public const string SystemAuthor = "system:seed";

    private sealed record SeedEntry(string File, string Title);

    public async Task StartAsync(CancellationToken ct)
    {
        await defaults.EnsureExistsAsync(ct);
        if (!configuration.GetValue("Seeds:Import", true)) return;

        await ImportAsync(store, configuration["Seeds:Folder"] ?? Path.Combine(AppContext.BaseDirectory, "Seeds"), logger, ct);
    }

    /// <summary>Imports every seed the folder's manifest lists; returns how many were new.</summary>
    public static async Task<int> ImportAsync(IDocumentStore store, string folder, ILogger logger, CancellationToken ct)
    {
        var manifest = Path.Combine(folder, "seeds.json");
        if (!File.Exists(manifest))
        {
            logger.LogWarning("No seed manifest at {Manifest}; no seed documents imported", manifest);
            return 0;
        }

        var entries = JsonSerializer.Deserialize<List<SeedEntry>>(await File.ReadAllTextAsync(manifest, ct), JsonSerializerOptions.Web) ?? [];
        var imports = 0;
        await using var session = store.LightweightSession();
        foreach (var entry in entries)
        {
            var text = await File.ReadAllTextAsync(Path.Combine(folder, entry.File), ct);
            var imported = DocumentImport.Decide(entry.Title, text, entry.File, SystemAuthor, DateTimeOffset.UtcNow, Workspaces.Workspace.DefaultId);
            var (document, created) = await DocumentImport.ImportAsync(session, imported, ct);
            if (!created) continue;
            imports++;
            logger.LogInformation("Imported seed document {File} as {DocumentId}", entry.File, document.Id);
        }
        return imports;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
