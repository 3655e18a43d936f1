using Annotations.Comments;
using Annotations.Highlights;
using Annotations.Infrastructure;
using Marten;
using Wolverine.Http;

namespace Annotations.Documents;

public sealed record DocumentDetails(Guid Id, string Title, string SourceFileName, string Sha256, int Length, string ImportedBy, DateTimeOffset ImportedAt, string Text);

public static class DocumentEndpoints
{
    public static DocumentSummary Summarise(Document d, int highlights, int comments) =>
        new(d.Id, d.Title, d.SourceFileName, d.Sha256, d.Length, d.ImportedAt, highlights, comments);

    [WolverineGet("/documents")]
    public static async Task<IReadOnlyList<DocumentSummary>> List(IQuerySession session, CancellationToken ct)
    {
        var documents = await session.Query<Document>().OrderBy(d => d.ImportedAt).ToListAsync(ct);

        // One round trip for all the counts, from the read models (exact, not eventually consistent).
        var batch = session.CreateBatchQuery();
        var counts = documents.Select(d => (
            Highlights: batch.Query<Highlight>().Where(h => h.DocumentId == d.Id && !h.Retracted).Count(),
            Comments: batch.Query<Comment>().Where(c => c.DocumentId == d.Id && !c.Retracted).Count())).ToList();
        if (documents.Count > 0) await batch.Execute(ct);

        var result = new List<DocumentSummary>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
            result.Add(Summarise(documents[i], (int)await counts[i].Highlights, (int)await counts[i].Comments));
        return result;
    }

    [WolverineGet("/documents/{id}")]
    public static async Task<DocumentDetails> Get(Guid id, IQuerySession session, CancellationToken ct)
    {
        var d = await session.LoadAsync<Document>(id, ct) ?? throw RuleViolation.NotFound($"There is no document {id}.");
        return new DocumentDetails(d.Id, d.Title, d.SourceFileName, d.Sha256, d.Length, d.ImportedBy, d.ImportedAt, d.Text);
    }

    public static async Task<Document> RequireAsync(IQuerySession session, Guid id, CancellationToken ct) =>
        await session.LoadAsync<Document>(id, ct) ?? throw RuleViolation.NotFound($"There is no document {id}.");
}
