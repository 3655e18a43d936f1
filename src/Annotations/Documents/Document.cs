using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Annotations.Workspaces;

namespace Annotations.Documents;

public sealed record DocumentImported(
    Guid DocumentId,
    string Title,
    string SourceFileName,
    string Text,
    string Sha256,
    int Length,
    string ImportedBy,
    DateTimeOffset ImportedAt,
    Guid? WorkspaceId = null);

/// <summary>A document as imported. Documents never change after import; annotations live in their own streams.</summary>
public sealed record Document(
    Guid Id,
    string Title,
    string SourceFileName,
    string Text,
    string Sha256,
    int Length,
    string ImportedBy,
    DateTimeOffset ImportedAt,
    Guid WorkspaceId)
{
    public int Version { get; set; }

    /// <summary>Documents imported before workspaces existed belong to the default one.</summary>
    public static Document Create(DocumentImported e) =>
        new(e.DocumentId, e.Title, e.SourceFileName, e.Text, e.Sha256, e.Length, e.ImportedBy, e.ImportedAt, e.WorkspaceId ?? Workspace.DefaultId);

    /// <summary>
    /// The id a text gets in a workspace: derived from its hash, so importing the same text twice, even at the same
    /// moment, lands on the same stream and the second import is a no-op.
    /// </summary>
    public static Guid IdFor(string sha256Hex, Guid workspaceId)
    {
        var bytes = workspaceId == Workspace.DefaultId
            ? Convert.FromHexString(sha256Hex)[..16]
            : SHA256.HashData(Encoding.UTF8.GetBytes($"{workspaceId:N}/{sha256Hex}"))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8: custom, name-based
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    public static string HashOf(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static readonly ConcurrentDictionary<Guid, CodePointText> Indexes = new();

    /// <summary>The code-point index of the text; documents are immutable, so it is computed once per process.</summary>
    [JsonIgnore] public CodePointText CodePoints => Indexes.GetOrAdd(Id, _ => new CodePointText(Text));
}
