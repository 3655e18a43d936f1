using Annotations.Comments;
using Annotations.Highlights;
using System.Security.Claims;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Workspaces;
using Marten;
using Wolverine.Http;

namespace Annotations.Documents;

public sealed record DocumentDetails(Guid Id, string Title, string SourceFileName, string Sha256, int Length, string ImportedBy, DateTimeOffset ImportedAt,
    Guid WorkspaceId, string Text);

public static class DocumentEndpoints
{
    public static DocumentSummary Summarise(Document d, int highlights, int comments) =>
        new(d.Id, d.Title, d.SourceFileName, d.Sha256, d.Length, d.ImportedAt, highlights, comments);

    /// <summary>The documents of the caller's workspaces, with the live annotations the caller can see.</summary>
    [WolverineGet("/documents")]
    public static async Task<IReadOnlyList<DocumentSummary>> List(IQuerySession session, ClaimsPrincipal user, Access access, CancellationToken ct)
    {
        var workspaces = (await access.MembershipsAsync(user, ct)).Keys.ToArray();
        var documents = await session.Query<Document>().Where(d => d.WorkspaceId.IsOneOf(workspaces)).OrderBy(d => d.ImportedAt).ToListAsync(ct);
        var me = user.Author();

        // One round trip for all the counts, from the read models (exact, not eventually consistent).
        var batch = session.CreateBatchQuery();
        var counts = documents.Select(d => (
            Highlights: batch.Query<Highlight>().Where(h => h.DocumentId == d.Id && !h.Retracted && (!h.Private || h.Author == me)).Count(),
            Comments: batch.Query<Comment>().Where(c => c.DocumentId == d.Id && !c.Retracted && (!c.Private || c.Author == me)).Count())).ToList();
        if (documents.Count > 0) await batch.Execute(ct);

        var result = new List<DocumentSummary>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
            result.Add(Summarise(documents[i], (int)await counts[i].Highlights, (int)await counts[i].Comments));
        return result;
    }

    [WolverineGet("/documents/{id}")]
    public static async Task<DocumentDetails> Get(Guid id, ClaimsPrincipal user, Access access, CancellationToken ct)
    {
        var d = await access.DocumentAsync(user, id, ct);
        return new DocumentDetails(d.Id, d.Title, d.SourceFileName, d.Sha256, d.Length, d.ImportedBy, d.ImportedAt, d.WorkspaceId, d.Text);
    }
}
