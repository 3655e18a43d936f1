using Annotations.Infrastructure;
using Npgsql;

namespace Annotations.Tests.Infrastructure;

public class EmbeddedPostgresTests
{
    [Fact]
    public async Task A_cluster_keeps_its_data_across_a_restart_and_stops_on_dispose()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"annotations-tests-embedded-{Guid.NewGuid():N}");
        try
        {
            using (var first = EmbeddedPostgres.Start(folder, durable: false))
            {
                await using var connection = new NpgsqlConnection(first.ConnectionString);
                await connection.OpenAsync();
                await new NpgsqlCommand("create table kept (v text); insert into kept values ('still here')", connection).ExecuteNonQueryAsync();
            }

            using var second = EmbeddedPostgres.Start(folder, durable: false);
            await using (var connection = new NpgsqlConnection(second.ConnectionString))
            {
                await connection.OpenAsync();
                Assert.Equal("still here", await new NpgsqlCommand("select v from kept", connection).ExecuteScalarAsync());
            }

            NpgsqlConnection.ClearAllPools();
            second.Stop();
            Assert.False(second.IsRunning);
            Assert.False(File.Exists(Path.Combine(folder, "postmaster.pid")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Missing_binaries_give_one_clear_message_on_what_to_do()
    {
        var error = Assert.Throws<InvalidOperationException>(() => EmbeddedPostgres.FindBinaries(["/nonexistent/bin"]));
        Assert.Contains("apt-get install postgresql", error.Message);
        Assert.Contains("docker compose up", error.Message);
        Assert.Contains("ConnectionStrings__Annotations", error.Message);
    }
}
