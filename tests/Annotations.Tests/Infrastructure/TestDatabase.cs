using System.Diagnostics;
using Annotations.Infrastructure;

namespace Annotations.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test run (fsync off), removed at the end; or the database named by
/// <c>ANNOTATIONS_TEST_CONNECTION</c> when set (for example a docker compose PostgreSQL).
/// </summary>
public static class TestDatabase
{
    private const string Prefix = "annotations-tests-";
    private static readonly Lazy<(string ConnectionString, EmbeddedPostgres? Cluster)> Instance = new(Start);

    public static string ConnectionString => Instance.Value.ConnectionString;

    private static (string, EmbeddedPostgres?) Start()
    {
        var configured = Environment.GetEnvironmentVariable("ANNOTATIONS_TEST_CONNECTION");
        if (!string.IsNullOrWhiteSpace(configured)) return (configured, null);

        RemoveLeftovers();
        var folder = Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var cluster = EmbeddedPostgres.Start(folder, durable: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(cluster);
        return (cluster.ConnectionString, cluster);
    }

    /// <summary>Stops the cluster and deletes its folder; the last fixture using it calls this.</summary>
    public static void Shutdown()
    {
        if (Instance.IsValueCreated && Instance.Value.Cluster is { } cluster) Remove(cluster);
    }

    private static void Remove(EmbeddedPostgres cluster)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        cluster.Stop();
        Delete(cluster.DataDirectory);
    }

    /// <summary>Clusters of earlier runs that were killed before they could clean up (their process is gone).</summary>
    private static void RemoveLeftovers()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var pidText = Path.GetFileName(folder)[Prefix.Length..].Split('-')[0];
            if (!int.TryParse(pidText, out var pid) || IsAlive(pid)) continue;
            var pidFile = Path.Combine(folder, "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var postmaster) && IsAlive(postmaster))
            {
                try { Process.GetProcessById(postmaster).Kill(); } catch (Exception) { }
            }
            Delete(folder);
        }
    }

    private static bool IsAlive(int pid)
    {
        try { return !Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }

    private static void Delete(string folder)
    {
        for (var attempt = 0; attempt < 3 && Directory.Exists(folder); attempt++)
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (Exception) { Thread.Sleep(200); }
        }
    }
}
