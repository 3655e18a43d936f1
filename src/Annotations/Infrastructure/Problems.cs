using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Annotations.Infrastructure;

/// <summary>
/// A request that breaks a rule of the domain. Thrown before anything is appended, so nothing is stored; the
/// exception handler turns it into RFC 7807 problem details with <see cref="Status"/>.
/// </summary>
public class RuleViolation(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;

    public static RuleViolation BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Invalid request", detail);
    public static RuleViolation NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);
    public static RuleViolation Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Forbidden", detail);
    public static RuleViolation Conflict(string detail) => new(StatusCodes.Status409Conflict, "Conflict", detail);
    public static RuleViolation Unprocessable(string detail) => new(StatusCodes.Status422UnprocessableEntity, "Unprocessable request", detail);
    public static RuleViolation PreconditionFailed(string detail) => new(StatusCodes.Status412PreconditionFailed, "Precondition failed", detail);
}

/// <summary>Maps exceptions that reach the pipeline to problem details with the status a client can act on.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = Classify(exception, http);
        if (status >= 500) logger.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);

        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    private static (int Status, string Title, string Detail) Classify(Exception exception, HttpContext http)
    {
        var root = exception;
        while (root is AggregateException { InnerException: { } inner }) root = inner;

        return root switch
        {
            RuleViolation v => (v.Status, v.Title, v.Message),
            JsonException j => (400, "Malformed JSON", $"The request body is not valid JSON for this endpoint: {j.Message}"),
            BadHttpRequestException b when b.StatusCode == 413 => (413, "Request too large", b.Message),
            BadHttpRequestException b => (b.StatusCode, "Invalid request", b.Message),
            _ when AnnotationWrites.IsStreamCollision(root) || root is DocumentAlreadyExistsException =>
                (409, "Conflict", "Something with this id already exists."),
            ConcurrencyException or EventStreamUnexpectedMaxEventIdException => ConcurrencyProblem(http),
            _ when root.GetType().Name.Contains("Concurrency", StringComparison.Ordinal) => ConcurrencyProblem(http),
            _ => (500, "Server error", "The server could not complete the request; nothing was stored."),
        };
    }

    private static (int, string, string) ConcurrencyProblem(HttpContext http) =>
        http.Request.Headers.IfMatch.Count > 0
            ? (412, "Precondition failed", "The annotation changed after the version named in If-Match; nothing was stored. Read it again and retry.")
            : (409, "Concurrent change", "Someone else changed this annotation at the same moment; nothing was stored. Read it again and retry.");
}
