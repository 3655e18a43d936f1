using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Annotations.Infrastructure;

/// <summary>
/// A private PostgreSQL cluster run from the machine's own binaries: the default when no connection string is
/// configured. The data folder survives restarts; the server is stopped on <see cref="Dispose"/>.
/// </summary>
public sealed class EmbeddedPostgres : IDisposable
{
    private readonly string _binDirectory;
    private readonly bool _runAsPostgresUser;
    private bool _stopped;

    public string DataDirectory { get; }
    public int Port { get; private set; }
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";

    private EmbeddedPostgres(string binDirectory, string dataDirectory)
    {
        _binDirectory = binDirectory;
        DataDirectory = Path.GetFullPath(dataDirectory);
        _runAsPostgresUser = Environment.UserName == "root";
    }

    public bool IsRunning => File.Exists(Path.Combine(DataDirectory, "postmaster.pid")) && CanConnect(Port);

    /// <summary>Initialises the cluster if the folder is new, then starts it (or adopts one already running there).</summary>
    /// <param name="durable">false turns off fsync: for throwaway test clusters only.</param>
    public static EmbeddedPostgres Start(string dataDirectory, string? binDirectory = null, bool durable = true)
    {
        var pg = new EmbeddedPostgres(binDirectory ?? FindBinaries(), dataDirectory);
        pg.InitialiseIfNeeded();
        pg.StartServer(durable);
        return pg;
    }

    public static string FindBinaries() => FindBinaries(DefaultSearchPath());

    public static string FindBinaries(IEnumerable<string> candidates)
    {
        foreach (var dir in candidates)
        {
            if (File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "initdb")))
                return dir;
        }

        throw new InvalidOperationException(
            "No connection string is configured (ConnectionStrings:Annotations / ConnectionStrings__Annotations) and no " +
            "PostgreSQL server binaries (initdb, pg_ctl) were found to start an embedded cluster. Either install PostgreSQL " +
            "13 or newer (Debian/Ubuntu: `apt-get install postgresql`; or set PG_BIN to the folder holding pg_ctl), or run " +
            "`docker compose up -d` and set ConnectionStrings__Annotations to the connection string in docker-compose.yml.");
    }

    private static List<string> DefaultSearchPath()
    {
        var candidates = new List<string>();
        var fromEnv = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnv)) candidates.Add(fromEnv);
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates;
    }

    private void InitialiseIfNeeded()
    {
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION"))) return;

        Directory.CreateDirectory(DataDirectory);
        if (Directory.EnumerateFileSystemEntries(DataDirectory).Any())
            throw new InvalidOperationException($"The PostgreSQL data folder {DataDirectory} is not empty but holds no cluster. Empty it or choose another folder (Postgres:DataDirectory).");

        GiveToPostgresUser(DataDirectory);
        // Trust authentication on 127.0.0.1 only, no Unix socket: the cluster is private to this machine's user.
        Run("initdb", $"-D \"{DataDirectory}\" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-instructions", TimeSpan.FromMinutes(2));
    }

    private void StartServer(bool durable)
    {
        var running = ReadRunningPort();
        if (running is { } port && CanConnect(port))
        {
            // A server left behind by a killed run: adopt it rather than fail on the lock file.
            Port = port;
            return;
        }

        Port = FreePort();
        var settings = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200";
        if (!durable) settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        var log = Path.Combine(DataDirectory, "server.log");
        Run("pg_ctl", $"-D \"{DataDirectory}\" -l \"{log}\" -w -t 60 -o \"{settings}\" start", TimeSpan.FromSeconds(90));
    }

    private int? ReadRunningPort()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(IPAddress.Loopback, port).Wait(TimeSpan.FromSeconds(1));
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Stop()
    {
        if (_stopped) return;
        _stopped = true;
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))) return;
        Run("pg_ctl", $"-D \"{DataDirectory}\" -m fast -w -t 60 stop", TimeSpan.FromSeconds(90), throwOnFailure: false);
    }

    public void Dispose() => Stop();

    private void GiveToPostgresUser(string path)
    {
        if (!_runAsPostgresUser) return;
        Execute("chown", ["-R", "postgres:postgres", path], TimeSpan.FromSeconds(30), throwOnFailure: true);
    }

    private void Run(string tool, string arguments, TimeSpan timeout, bool throwOnFailure = true)
    {
        var executable = Path.Combine(_binDirectory, tool);
        if (_runAsPostgresUser)
            Execute("runuser", ["-u", "postgres", "--", "sh", "-c", $"\"{executable}\" {arguments}"], timeout, throwOnFailure);
        else
            Execute("sh", ["-c", $"\"{executable}\" {arguments}"], timeout, throwOnFailure);
    }

    private static void Execute(string file, string[] arguments, TimeSpan timeout, bool throwOnFailure)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server inherits the caller's working directory; one it cannot read breaks as the postgres user.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        if (process.ExitCode != 0 && throwOnFailure)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
    }
}
