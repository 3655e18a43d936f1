using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Annotations.Citations;
using Annotations.Identity;
using Annotations.Workspaces;
using Annotations.Infrastructure;
using Marten;
using Wolverine.Http;

namespace Annotations.Documents;

public sealed record ImportDocumentRequest(string? Title, string? Text, string? SourceFileName, Guid? WorkspaceId = null);

public sealed record DocumentSummary(Guid Id, string Title, string SourceFileName, string Sha256, int Length, DateTimeOffset ImportedAt, int Highlights, int Comments);

public static class DocumentImport
{
    /// <summary>Default upper bound on an imported text, in UTF-8 bytes (setting <c>Documents:MaxBytes</c>).</summary>
    public const int DefaultMaxBytes = 2 * 1024 * 1024;

    /// <summary>Checks the text and builds the event; throws <see cref="RuleViolation"/> for text that is not importable.</summary>
    public static DocumentImported Decide(string? title, string? text, string? sourceFileName, string importedBy, DateTimeOffset now, Guid workspaceId)
    {
        if (string.IsNullOrWhiteSpace(text)) throw RuleViolation.BadRequest("The document text is empty.");
        if (text.Contains('\0')) throw RuleViolation.BadRequest("The document contains NUL characters: it is not plain text.");

        var resolvedTitle = string.IsNullOrWhiteSpace(title) ? FirstLine(text) : title.Trim();
        if (resolvedTitle.Length > 500) throw RuleViolation.BadRequest("The title is longer than 500 characters.");

        var sha = Document.HashOf(text);
        return new DocumentImported(
            Document.IdFor(sha, workspaceId), resolvedTitle, string.IsNullOrWhiteSpace(sourceFileName) ? "" : Path.GetFileName(sourceFileName.Trim()),
            text, sha, CodePointText.CountCodePoints(text), importedBy, now, workspaceId);
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "Untitled";
        return line.Length <= 200 ? line : line[..200];
    }

    /// <summary>
    /// Appends the import, and the citations found in the text, unless the same text is already there. Returns the
    /// document and whether it is new.
    /// </summary>
    public static async Task<(Document Document, bool Created)> ImportAsync(IDocumentSession session, DocumentImported imported, CancellationToken ct)
    {
        var existing = await session.LoadAsync<Document>(imported.DocumentId, ct);
        if (existing is not null)
        {
            await IdentifyMissingCitationsAsync(session, existing, ct);
            return (existing, false);
        }

        session.Events.StartStream<Document>(imported.DocumentId, imported);
        foreach (var citation in CitationRules.Identify(imported.DocumentId, imported.Text, imported.ImportedBy, imported.ImportedAt))
            session.Events.StartStream<Citation>(citation.CitationId, citation);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (AnnotationWrites.IsStreamCollision(e))
        {
            // Another import of the same text won the race; theirs is ours.
            var theirs = await session.LoadAsync<Document>(imported.DocumentId, ct);
            return (theirs!, false);
        }

        return (Document.Create(imported) with { Version = 1 }, true);
    }

    /// <summary>Documents imported before citations were extracted get theirs on the next import or start-up.</summary>
    private static async Task IdentifyMissingCitationsAsync(IDocumentSession session, Document document, CancellationToken ct)
    {
        if (await session.Query<Citation>().AnyAsync(c => c.DocumentId == document.Id, ct)) return;
        var citations = CitationRules.Identify(document.Id, document.Text, SeedImporter.SystemAuthor, DateTimeOffset.UtcNow);
        if (citations.Count == 0) return;
        await using var own = session.DocumentStore.LightweightSession();
        foreach (var citation in citations) own.Events.StartStream<Citation>(citation.CitationId, citation);
        try
        {
            await own.SaveChangesAsync(ct);
        }
        catch (Exception e) when (AnnotationWrites.IsStreamCollision(e))
        {
            // Another process identified them at the same moment.
        }
    }
}

public static class ImportDocumentEndpoint
{
    /// <summary>
    /// Imports a UTF-8 plain-text document: either <c>text/plain</c> (title and file name in the query) or JSON
    /// <c>{"title", "text", "sourceFileName"}</c>. The same text twice gives the existing document (200), not a copy.
    /// </summary>
    [WolverinePost("/documents")]
    public static async Task<IResult> Post(HttpContext http, IDocumentSession session, ClaimsPrincipal user, IConfiguration configuration, TimeProvider clock, Access access)
    {
        var maxBytes = configuration.GetValue("Documents:MaxBytes", DocumentImport.DefaultMaxBytes);
        var body = await ReadLimitedAsync(http.Request, maxBytes, http.RequestAborted);

        ImportDocumentRequest request;
        var contentType = http.Request.ContentType ?? "";
        if (contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            request = new ImportDocumentRequest(http.Request.Query["title"], DecodeUtf8(body), http.Request.Query["sourceFileName"],
                Guid.TryParse(http.Request.Query["workspaceId"], out var workspace) ? workspace : null);
        }
        else if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            request = JsonSerializer.Deserialize<ImportDocumentRequest>(body, JsonSerializerOptions.Web)
                      ?? throw RuleViolation.BadRequest("The request body is empty.");
        }
        else
        {
            throw new RuleViolation(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the document as text/plain (UTF-8) or as JSON {\"title\", \"text\", \"sourceFileName\"}.");
        }

        var workspaceId = request.WorkspaceId ?? Workspace.DefaultId;
        await access.RequireAsync(user, workspaceId, Role.Annotator, http.RequestAborted);
        var imported = DocumentImport.Decide(request.Title, request.Text, request.SourceFileName, user.Author(), clock.GetUtcNow(), workspaceId);
        var (document, created) = await DocumentImport.ImportAsync(session, imported, http.RequestAborted);
        var summary = DocumentEndpoints.Summarise(document, 0, 0);
        return created ? Results.Created($"/documents/{document.Id}", summary) : Results.Ok(summary);
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static RuleViolation TooLarge(int maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "Document too large", $"Documents may be at most {maxBytes:N0} bytes of UTF-8.");

    private static string DecodeUtf8(byte[] body)
    {
        try
        {
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body);
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            throw RuleViolation.BadRequest("The document is not valid UTF-8.");
        }
    }
}
