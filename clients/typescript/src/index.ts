import * as signalR from "@microsoft/signalr";

/** One change in the feed; `sequence` is the cursor every surface speaks. */
export interface FeedEvent {
  sequence: number;
  eventType: string;
  streamId: string;
  documentId: string | null;
  annotationType: string;
  version: number;
  author: string;
  at: string;
  data: Record<string, unknown>;
}

export interface FeedPage {
  events: FeedEvent[];
  /** Pass as `after` for the next page: everything up to it has been read. */
  next: number;
  highWaterMark: number;
}

/** A change pushed live (or replayed on catch-up) to viewers of a document. */
export interface LiveChange {
  documentId: string;
  annotationId: string;
  annotationType: string;
  eventType: string;
  state: Record<string, unknown>;
  author: string;
  at: string;
  version: number;
  sequence: number;
}

interface CatchUp {
  changes: LiveChange[];
  through: number;
}

export class AnnotationsApiError extends Error {
  constructor(readonly status: number, readonly title?: string, readonly detail?: string) {
    super(`${status} ${title ?? ""}: ${detail ?? ""}`);
  }
}

export interface FeedQuery {
  after: number;
  limit?: number;
  waitSeconds?: number;
  documentId?: string;
  eventTypes?: string[];
}

/** Typed calls to the REST API with a bearer token. */
export class AnnotationsClient {
  constructor(readonly baseUrl: string, private readonly token: string) {}

  listDocuments(): Promise<Array<{ id: string; title: string; sourceFileName: string; length: number; highlights: number; comments: number }>> {
    return this.send("GET", "/documents");
  }

  addHighlight(documentId: string, body: { start: number; end: number; exact?: string; label?: string; tags?: string[] }, idempotencyKey?: string): Promise<{ id: string; version: number }> {
    return this.send("POST", `/documents/${documentId}/highlights`, body, idempotencyKey);
  }

  addComment(documentId: string, body: Record<string, unknown>, idempotencyKey?: string): Promise<{ id: string; version: number }> {
    return this.send("POST", `/documents/${documentId}/comments`, body, idempotencyKey);
  }

  getFeed(query: FeedQuery, signal?: AbortSignal): Promise<FeedPage> {
    const params = new URLSearchParams({ after: String(query.after), limit: String(query.limit ?? 500), wait: String(query.waitSeconds ?? 0) });
    if (query.documentId) params.set("document", query.documentId);
    if (query.eventTypes?.length) params.set("type", query.eventTypes.join(","));
    return this.send("GET", `/feed?${params}`, undefined, undefined, signal);
  }

  /** A SignalR connection to the live hub, not yet started. */
  hubConnection(): signalR.HubConnection {
    return new signalR.HubConnectionBuilder()
      .withUrl(`${this.baseUrl}/hubs/annotations`, { accessTokenFactory: () => this.token })
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning)
      .build();
  }

  private async send<T>(method: string, path: string, body?: unknown, idempotencyKey?: string, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    const response = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { title?: string; detail?: string };
      throw new AnnotationsApiError(response.status, problem.title, problem.detail);
    }
    return (await response.json()) as T;
  }
}

/** Where a follower keeps its cursor between runs. */
export interface CursorStore {
  load(): Promise<number>;
  save(cursor: number): Promise<void>;
}

export class MemoryCursorStore implements CursorStore {
  constructor(private cursor = 0) {}
  async load() { return this.cursor; }
  async save(cursor: number) { this.cursor = cursor; }
}

/**
 * Follows the change feed from a stored cursor with long-polls. The cursor is saved after each event is handled, so a
 * restart resumes where it stopped; an event that was being handled when the process died is handled again, so
 * handlers should be idempotent (the sequence number is a natural key).
 */
export class FeedFollower {
  constructor(private readonly client: AnnotationsClient, private readonly cursor: CursorStore, private readonly filter: Omit<FeedQuery, "after"> = {}) {}

  async follow(handle: (event: FeedEvent) => Promise<void> | void, signal: AbortSignal): Promise<void> {
    let after = await this.cursor.load();
    while (!signal.aborted) {
      let page: FeedPage;
      try {
        page = await this.client.getFeed({ waitSeconds: 20, ...this.filter, after }, signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      for (const event of page.events) {
        await handle(event);
        after = event.sequence;
        await this.cursor.save(after);
      }
      if (page.next > after) {
        after = page.next;
        await this.cursor.save(after);
      }
    }
  }
}

/**
 * Live changes of one document with catch-up: on start and after every reconnection it asks for every change after
 * the last one delivered, then continues live. Each change is delivered once; one that arrives both ways at the seam
 * is dropped the second time.
 */
export class LiveSubscription {
  private readonly delivered = new Set<number>();
  private held: LiveChange[] = [];
  private catchingUp = false;
  private queue: Promise<void> = Promise.resolve();
  lastSequence: number;

  constructor(private readonly connection: signalR.HubConnection, private readonly documentId: string, afterSequence: number,
              private readonly onChange: (change: LiveChange) => void | Promise<void>) {
    this.lastSequence = afterSequence;
    connection.on("change", (change: LiveChange) => this.enqueue(async () => {
      if (change.documentId !== this.documentId) return;
      if (this.catchingUp) this.held.push(change);
      else await this.deliver(change);
    }));
    connection.onreconnected(() => { void this.catchUp(); });
  }

  async start(): Promise<void> {
    if (this.connection.state === signalR.HubConnectionState.Disconnected) await this.connection.start();
    await this.catchUp();
  }

  async catchUp(): Promise<void> {
    await this.enqueue(async () => { this.catchingUp = true; });
    const result = await this.connection.invoke<CatchUp>("JoinFrom", this.documentId, this.lastSequence);
    await this.enqueue(async () => {
      for (const change of [...result.changes].sort((a, b) => a.sequence - b.sequence)) await this.deliver(change);
      for (const change of this.held) await this.deliver(change);
      this.held = [];
      this.catchingUp = false;
    });
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work);
    return this.queue;
  }

  private async deliver(change: LiveChange): Promise<void> {
    if (this.delivered.has(change.sequence)) return;
    this.delivered.add(change.sequence);
    if (change.sequence > this.lastSequence) this.lastSequence = change.sequence;
    await this.onChange(change);
  }
}
