using Annotations.Documents;
using Annotations.Infrastructure;

namespace Annotations.Citations;

public sealed record ProposeCorrection(string? CorrectedText, CitationFields? Fields, string? Rationale, string? CommandId);

public sealed record ReviseCorrection(string? CorrectedText, CitationFields? Fields, string? Rationale);

public sealed record DecideCorrection(string? Reason);

/// <summary>The correction workflow's decisions: pure functions from a citation and a command to the event.</summary>
public static class CitationRules
{
    public const int MaxText = 5_000, MaxRationale = 2_000, MaxField = 500, MaxReason = 2_000;

    /// <summary>The citations a freshly imported text holds, as events for their own streams.</summary>
    public static IReadOnlyList<CitationIdentified> Identify(Guid documentId, string text, string by, DateTimeOffset at)
    {
        var extraction = CitationExtractor.Extract(text);
        var marks = extraction.Marks.ToLookup(m => m.Number, m => m.Position);
        return extraction.Citations
            .Select(c => new CitationIdentified(
                Citation.IdFor(documentId, c.Kind, c.Number), documentId, c.Number, c.Kind, c.Ranges, c.RawText, c.Condition, c.Problems,
                c.Kind == CitationKind.Footnote ? marks[c.Number].ToList() : [], CitationExtractor.Version, by, at))
            .ToList();
    }

    public static CitationCorrectionProposed Propose(Citation citation, Guid proposalId, ProposeCorrection command, string by, DateTimeOffset now)
    {
        var text = CorrectedText(command.CorrectedText);
        if (text == citation.CurrentText)
            throw RuleViolation.Unprocessable("The corrected text is the same as the citation's current text: there is nothing to correct.");
        return new CitationCorrectionProposed(citation.Id, citation.DocumentId, proposalId, text, Fields(command.Fields), Rationale(command.Rationale), by, now);
    }

    public static CitationCorrectionRevised Revise(Citation citation, Guid proposalId, ReviseCorrection command, string by, DateTimeOffset now)
    {
        var proposal = OpenProposalOf(citation, proposalId, by, "revise");
        return new CitationCorrectionRevised(citation.Id, citation.DocumentId, proposalId,
            command.CorrectedText is null ? proposal.CorrectedText : CorrectedText(command.CorrectedText),
            command.Fields is null ? proposal.Fields : Fields(command.Fields),
            command.Rationale is null ? proposal.Rationale : Rationale(command.Rationale),
            by, now);
    }

    public static CitationCorrectionWithdrawn Withdraw(Citation citation, Guid proposalId, string by, DateTimeOffset now)
    {
        OpenProposalOf(citation, proposalId, by, "withdraw");
        return new CitationCorrectionWithdrawn(citation.Id, citation.DocumentId, proposalId, by, now);
    }

    public static CitationCorrectionAccepted Accept(Citation citation, Guid proposalId, DecideCorrection command, string by, DateTimeOffset now)
    {
        var reason = Reviewable(citation, proposalId, command, by);
        return new CitationCorrectionAccepted(citation.Id, citation.DocumentId, proposalId, citation.AcceptedProposalId, reason, by, now);
    }

    public static CitationCorrectionRejected Reject(Citation citation, Guid proposalId, DecideCorrection command, string by, DateTimeOffset now)
    {
        var reason = Reviewable(citation, proposalId, command, by);
        return new CitationCorrectionRejected(citation.Id, citation.DocumentId, proposalId, reason, by, now);
    }

    /// <summary>The caller's reviewer role is checked at the edge; this is what holds whoever reviews.</summary>
    private static string Reviewable(Citation citation, Guid proposalId, DecideCorrection command, string by)
    {
        var proposal = ProposalOf(citation, proposalId);
        if (proposal.ProposedBy == by) throw RuleViolation.Forbidden("A proposer cannot review their own proposal.");
        if (proposal.Status != ProposalStatus.Open) throw RuleViolation.Conflict($"The proposal is {proposal.Status.ToString().ToLowerInvariant()}, not open.");
        var reason = command.Reason?.Trim();
        if (string.IsNullOrEmpty(reason)) throw RuleViolation.BadRequest("A decision needs a reason.");
        return reason.Length <= MaxReason ? reason : throw RuleViolation.BadRequest($"The reason is longer than {MaxReason:N0} characters.");
    }

    private static CorrectionProposal OpenProposalOf(Citation citation, Guid proposalId, string by, string action)
    {
        var proposal = ProposalOf(citation, proposalId);
        if (proposal.ProposedBy != by) throw RuleViolation.Forbidden($"Only the proposer can {action} a proposal.");
        if (proposal.Status != ProposalStatus.Open) throw RuleViolation.Conflict($"The proposal is {proposal.Status.ToString().ToLowerInvariant()}, not open.");
        return proposal;
    }

    private static CorrectionProposal ProposalOf(Citation citation, Guid proposalId) =>
        citation.Proposal(proposalId) ?? throw RuleViolation.NotFound($"Citation {citation.Id} has no proposal {proposalId}.");

    private static string CorrectedText(string? text)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed)) throw RuleViolation.BadRequest("The corrected text is empty.");
        var length = CodePointText.CountCodePoints(trimmed);
        return length <= MaxText ? trimmed : throw RuleViolation.BadRequest($"The corrected text is {length:N0} characters long; the limit is {MaxText:N0}.");
    }

    private static string? Rationale(string? rationale)
    {
        var trimmed = rationale?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        return trimmed.Length <= MaxRationale ? trimmed : throw RuleViolation.BadRequest($"The rationale is longer than {MaxRationale:N0} characters.");
    }

    private static CitationFields? Fields(CitationFields? fields)
    {
        if (fields is null) return null;
        string? F(string? v, string name)
        {
            var t = v?.Trim();
            if (string.IsNullOrEmpty(t)) return null;
            return t.Length <= MaxField ? t : throw RuleViolation.BadRequest($"The field {name} is longer than {MaxField} characters.");
        }
        var result = new CitationFields(F(fields.Author, "author"), F(fields.Title, "title"), F(fields.Year, "year"), F(fields.Pages, "pages"),
            F(fields.ArchiveReference, "archiveReference"), F(fields.Url, "url"));
        if (result.Url is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            throw RuleViolation.BadRequest("The url field is not an absolute URL.");
        return result == new CitationFields(null, null, null, null, null, null) ? null : result;
    }
}
