using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Annotations.Documents;
using Annotations.History;
using Annotations.Infrastructure;

namespace Annotations.Citations;

/// <summary>A citation found in a document on import, with the reference marks in the body that point to it.</summary>
public sealed record CitationIdentified(
    Guid CitationId,
    Guid DocumentId,
    int Number,
    CitationKind Kind,
    IReadOnlyList<TextPosition> Ranges,
    string RawText,
    CitationCondition Condition,
    IReadOnlyList<string> Problems,
    IReadOnlyList<TextPosition> Marks,
    int ExtractorVersion,
    string By,
    DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CitationId;
}

/// <summary>Optional structured fixes that go with a corrected text.</summary>
public sealed record CitationFields(string? Author, string? Title, string? Year, string? Pages, string? ArchiveReference, string? Url);

public sealed record CitationCorrectionProposed(
    Guid CitationId, Guid DocumentId, Guid ProposalId, string CorrectedText, CitationFields? Fields, string? Rationale,
    string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CitationId;
}

public sealed record CitationCorrectionRevised(
    Guid CitationId, Guid DocumentId, Guid ProposalId, string CorrectedText, CitationFields? Fields, string? Rationale,
    string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CitationId;
}

public sealed record CitationCorrectionWithdrawn(Guid CitationId, Guid DocumentId, Guid ProposalId, string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CitationId;
}

/// <summary>A reviewer accepted a proposal; it replaces the correction accepted before it, if any.</summary>
public sealed record CitationCorrectionAccepted(
    Guid CitationId, Guid DocumentId, Guid ProposalId, Guid? SupersededProposalId, string Reason, string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CitationId;
}

public sealed record CitationCorrectionRejected(
    Guid CitationId, Guid DocumentId, Guid ProposalId, string Reason, string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CitationId;
}

/// <summary>
/// A revert put back the correction that was accepted at an earlier version (none: the printed text). The proposal
/// it replaces counts as superseded.
/// </summary>
public sealed record CitationCorrectionRestored(Guid CitationId, Guid DocumentId, Guid? ProposalId, string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CitationId;
}

public sealed record CitationReverted(Guid CitationId, Guid DocumentId, int ToVersion, string? Reason, string By, DateTimeOffset At) : IRevertEvent
{
    [JsonIgnore] public Guid AnnotationId => CitationId;
}

public enum ProposalStatus { Open, Withdrawn, Accepted, Rejected, Superseded }

public sealed record CorrectionProposal(
    Guid Id,
    string CorrectedText,
    CitationFields? Fields,
    string? Rationale,
    string ProposedBy,
    DateTimeOffset ProposedAt,
    DateTimeOffset ModifiedAt,
    int Revisions,
    ProposalStatus Status,
    string? DecidedBy = null,
    string? DecisionReason = null,
    DateTimeOffset? DecidedAt = null);

/// <summary>
/// A citation with its correction proposals: one stream per citation, so two reviewers deciding on the same citation at
/// once conflict and one of them gets 409.
/// </summary>
public sealed record Citation(
    Guid Id,
    Guid DocumentId,
    int Number,
    CitationKind Kind,
    IReadOnlyList<TextPosition> Ranges,
    string OriginalText,
    CitationCondition Condition,
    IReadOnlyList<string> Problems,
    IReadOnlyList<TextPosition> Marks,
    IReadOnlyList<CorrectionProposal> Proposals,
    Guid? AcceptedProposalId = null) : IAnnotation
{
    public int Version { get; set; }

    [JsonIgnore] public bool Retracted => false;

    public bool VisibleTo(string user) => true;

    public bool EventVisibleTo(long version, string user) => true;

    /// <summary>The text as corrected by the accepted proposal, or as printed.</summary>
    public string CurrentText => Accepted?.CorrectedText ?? OriginalText;

    [JsonIgnore] public CorrectionProposal? Accepted => Proposals.FirstOrDefault(p => p.Id == AcceptedProposalId);

    public CorrectionProposal? Proposal(Guid id) => Proposals.FirstOrDefault(p => p.Id == id);

    /// <summary>Citations have ids derived from their place, so importing the same document again finds the same streams.</summary>
    public static Guid IdFor(Guid documentId, CitationKind kind, int number)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{documentId:N}/{kind}/{number}"))[..16];
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash, bigEndian: true);
    }

    public static Citation Create(CitationIdentified e) =>
        new(e.CitationId, e.DocumentId, e.Number, e.Kind, e.Ranges, e.RawText, e.Condition, e.Problems, e.Marks, []);

    public Citation Apply(CitationCorrectionProposed e) =>
        this with { Proposals = [.. Proposals, new CorrectionProposal(e.ProposalId, e.CorrectedText, e.Fields, e.Rationale, e.By, e.At, e.At, 0, ProposalStatus.Open)] };

    public Citation Apply(CitationCorrectionRevised e) =>
        Change(e.ProposalId, p => p with { CorrectedText = e.CorrectedText, Fields = e.Fields, Rationale = e.Rationale, ModifiedAt = e.At, Revisions = p.Revisions + 1 });

    public Citation Apply(CitationCorrectionWithdrawn e) =>
        Change(e.ProposalId, p => p with { Status = ProposalStatus.Withdrawn, ModifiedAt = e.At });

    public Citation Apply(CitationCorrectionRejected e) =>
        Change(e.ProposalId, p => p with { Status = ProposalStatus.Rejected, DecidedBy = e.By, DecisionReason = e.Reason, DecidedAt = e.At, ModifiedAt = e.At });

    public Citation Apply(CitationCorrectionAccepted e)
    {
        var accepted = Change(e.ProposalId, p => p with { Status = ProposalStatus.Accepted, DecidedBy = e.By, DecisionReason = e.Reason, DecidedAt = e.At, ModifiedAt = e.At });
        if (e.SupersededProposalId is { } superseded)
            accepted = accepted.Change(superseded, p => p with { Status = ProposalStatus.Superseded, ModifiedAt = e.At });
        return accepted with { AcceptedProposalId = e.ProposalId };
    }

    public Citation Apply(CitationCorrectionRestored e)
    {
        var result = this;
        if (AcceptedProposalId is { } current && current != e.ProposalId)
            result = result.Change(current, p => p with { Status = ProposalStatus.Superseded, ModifiedAt = e.At });
        if (e.ProposalId is { } restored)
            result = result.Change(restored, p => p with { Status = ProposalStatus.Accepted, ModifiedAt = e.At });
        return result with { AcceptedProposalId = e.ProposalId };
    }

    public Citation Apply(CitationReverted e) => this with { };

    private Citation Change(Guid proposalId, Func<CorrectionProposal, CorrectionProposal> change) =>
        this with { Proposals = Proposals.Select(p => p.Id == proposalId ? change(p) : p).ToList() };
}
