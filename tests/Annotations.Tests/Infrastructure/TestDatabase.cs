using Annotations.Infrastructure;

namespace Annotations.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test run (fsync off), removed at the end; or the database named by
/// <c>ANNOTATIONS_TEST_CONNECTION</c> when set (for example a docker compose PostgreSQL).
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<(string ConnectionString, EmbeddedPostgres? Cluster)> Instance = new(Start);

    public static string ConnectionString => Instance.Value.ConnectionString;

    private static (string, EmbeddedPostgres?) Start()
    {
        var configured = Environment.GetEnvironmentVariable("ANNOTATIONS_TEST_CONNECTION");
        if (!string.IsNullOrWhiteSpace(configured)) return (configured, null);

        var folder = Path.Combine(Path.GetTempPath(), $"annotations-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var cluster = EmbeddedPostgres.Start(folder, durable: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            cluster.Stop();
            for (var attempt = 0; attempt < 3 && Directory.Exists(folder); attempt++)
            {
                try { Directory.Delete(folder, recursive: true); }
                catch (Exception) { Thread.Sleep(200); } // .ci/run removes whatever is still left
            }
        };
        return (cluster.ConnectionString, cluster);
    }
}
