using System.Text;
using System.Text.Json;

namespace Annotations.Bench;

public sealed record Throughput(double PerSecond, Latency Latency);
public sealed record WriteRow(int Writers, Throughput Ours, Throughput RawNpgsql, Throughput RawMarten, double OursOverNpgsql, double OursOverMarten);
public sealed record LiveRow(int Clients, Latency Push, Latency HttpRoundTrip, double PushP99OverRoundTripP99);
public sealed record FeedRow(long Events, double RawSelectPerSecond, double HttpPagesPerSecond, double SsePerSecond, double PagesOverRaw, double SseOverRaw);
public sealed record ReplayRow(int Annotations, int DocumentEvents, Latency AsOf, Latency InMemoryFold, double LoadEventsMs, double AsOfOverFoldP50,
    long TotalEvents, double RebuildEventsPerSecond, double InMemoryFoldEventsPerSecond, double RebuildOverFold);
public sealed record MemoryRow(string Situation, double WorkingSetMb);

/// <summary>Collects the figures and writes them as Markdown (for the README) and JSON (for tools).</summary>
public sealed class Report(bool quick)
{
    public List<string> Notes { get; } = [];
    public List<WriteRow> WritePath { get; } = [];
    public List<LiveRow> LivePush { get; } = [];
    public List<FeedRow> FeedCatchUp { get; } = [];
    public ReplayRow? ReplayFigures { get; private set; }
    public List<MemoryRow> ServerMemory { get; } = [];

    public void Note(string note) => Notes.Add(note);

    public void Write(int writers, (double PerSecond, Latency Latency) ours, (double PerSecond, Latency Latency) npgsql, (double PerSecond, Latency Latency) marten) =>
        WritePath.Add(new WriteRow(writers, new(ours.PerSecond, ours.Latency), new(npgsql.PerSecond, npgsql.Latency), new(marten.PerSecond, marten.Latency),
            ours.PerSecond / npgsql.PerSecond, ours.PerSecond / marten.PerSecond));

    public void Live(int clients, Latency push, Latency roundTrip) => LivePush.Add(new LiveRow(clients, push, roundTrip, push.P99 / roundTrip.P99));

    public void Feed(long rawRows, double rawRate, long paged, double pageRate, long streamed, double sseRate) =>
        FeedCatchUp.Add(new FeedRow(rawRows, rawRate, pageRate, sseRate, pageRate / rawRate, sseRate / rawRate));

    public void Memory(string situation, double megabytes) => ServerMemory.Add(new MemoryRow(situation, megabytes));

    public void Replay(int annotations, int documentEvents, Latency asOf, Latency fold, double loadMs, long totalEvents, double rebuildRate, double foldAllRate) =>
        ReplayFigures = new ReplayRow(annotations, documentEvents, asOf, fold, loadMs, asOf.P50 / fold.P50, totalEvents, rebuildRate, foldAllRate, rebuildRate / foldAllRate);

    public async Task WriteAsync(string folder)
    {
        var json = JsonSerializer.Serialize(new { quick, Notes, WritePath, LivePush, FeedCatchUp, Replay = ReplayFigures, ServerMemory },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        await File.WriteAllTextAsync(Path.Combine(folder, quick ? "quick.json" : "latest.json"), json);
        await File.WriteAllTextAsync(Path.Combine(folder, quick ? "quick.md" : "latest.md"), Markdown());
    }

    public string Markdown()
    {
        var md = new StringBuilder();
        foreach (var note in Notes) md.AppendLine(note).AppendLine();
        md.AppendLine("**Write path** (highlights created; ratios of throughput, ours over the baseline)").AppendLine();
        md.AppendLine("| writers | ours /s | p50 ms | p99 ms | raw Npgsql /s | raw Marten /s | ours / Npgsql | ours / Marten |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var w in WritePath)
            md.AppendLine($"| {w.Writers} | {w.Ours.PerSecond:F0} | {w.Ours.Latency.P50:F1} | {w.Ours.Latency.P99:F1} | {w.RawNpgsql.PerSecond:F0} | {w.RawMarten.PerSecond:F0} | {w.OursOverNpgsql:F2} | {w.OursOverMarten:F2} |");
        md.AppendLine().AppendLine("**Live push** (HTTP response to receipt by the last client; baseline: the write's own HTTP round trip)").AppendLine();
        md.AppendLine("| clients | push p50 ms | p99 ms | max ms | round trip p99 ms | push p99 / round trip p99 |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var l in LivePush)
            md.AppendLine($"| {l.Clients} | {l.Push.P50:F2} | {l.Push.P99:F2} | {l.Push.Max:F2} | {l.HttpRoundTrip.P99:F2} | {l.PushP99OverRoundTripP99:F2} |");
        md.AppendLine().AppendLine("**Feed catch-up from sequence 0** (events per second; baseline: a raw ordered SELECT of the same rows)").AppendLine();
        md.AppendLine("| events | raw SELECT /s | HTTP pages /s | SSE /s | pages / raw | SSE / raw |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var f in FeedCatchUp)
            md.AppendLine($"| {f.Events:N0} | {f.RawSelectPerSecond:F0} | {f.HttpPagesPerSecond:F0} | {f.SsePerSecond:F0} | {f.PagesOverRaw:F3} | {f.SseOverRaw:F3} |");
        if (ReplayFigures is { } r)
        {
            md.AppendLine().AppendLine("**Replay**").AppendLine();
            md.AppendLine("| measure | ours | baseline: in-memory fold | ours / baseline |");
            md.AppendLine("|---|---:|---:|---:|");
            md.AppendLine($"| as-of query, {r.Annotations:N0} annotations, {r.DocumentEvents:N0} events: p50 ms | {r.AsOf.P50:F0} | {r.InMemoryFold.P50:F0} | {r.AsOfOverFoldP50:F1} |");
            md.AppendLine($"| projection rebuild over {r.TotalEvents:N0} events: events/s | {r.RebuildEventsPerSecond:F0} | {r.InMemoryFoldEventsPerSecond:F0} | {r.RebuildOverFold:F2} |");
            md.AppendLine().AppendLine($"Reading the document's events from PostgreSQL (measured in-process) takes {r.LoadEventsMs:F0} ms of the as-of query.");
        }
        md.AppendLine().AppendLine("**Server memory** (working set of the server process; baseline: the same process idle)").AppendLine();
        md.AppendLine("| situation | MB | / idle |");
        md.AppendLine("|---|---:|---:|");
        var idle = ServerMemory.FirstOrDefault()?.WorkingSetMb ?? 1;
        foreach (var m in ServerMemory) md.AppendLine($"| {m.Situation} | {m.WorkingSetMb:F0} | {m.WorkingSetMb / idle:F2} |");
        return md.ToString();
    }
}
