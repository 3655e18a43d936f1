import { test } from "node:test";
import assert from "node:assert/strict";
import { AnnotationsClient, FeedFollower, LiveSubscription, MemoryCursorStore, AnnotationsApiError, type FeedEvent, type LiveChange } from "../src/index.js";

// The server under test and two users' tokens come from the environment (the .NET test suite starts the server).
const baseUrl = process.env.ANNOTATIONS_URL ?? "http://localhost:5080";
const alice = new AnnotationsClient(baseUrl, process.env.ANNOTATIONS_TOKEN ?? "");
const indexer = new AnnotationsClient(baseUrl, process.env.ANNOTATIONS_TOKEN_2 ?? "");

async function until(condition: () => boolean, what: string, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test("lists the seed documents", async () => {
  const documents = await alice.listDocuments();
  assert.ok(documents.some((d) => d.sourceFileName === "002_edba6911ec15c48d.txt"));
});

test("bad input comes back as a typed problem", async () => {
  const [document] = await alice.listDocuments();
  await assert.rejects(alice.addHighlight(document.id, { start: 10, end: 5 }), (error: unknown) =>
    error instanceof AnnotationsApiError && error.status === 400);
});

test("the feed follower resumes from its cursor and sees every change once", async () => {
  const [document] = await alice.listDocuments();
  const start = (await indexer.getFeed({ after: 0, limit: 1000 })).highWaterMark;
  const cursor = new MemoryCursorStore(start);
  const first: FeedEvent[] = [];
  const created = await alice.addHighlight(document.id, { start: 0, end: 5, label: "ts-1" });

  const stop = new AbortController();
  const following = new FeedFollower(indexer, cursor, { waitSeconds: 1 }).follow((e) => { first.push(e); }, stop.signal);
  await until(() => first.some((e) => e.streamId === created.id), "the first highlight in the feed");
  stop.abort();
  await following;

  const second: FeedEvent[] = [];
  const later = await alice.addHighlight(document.id, { start: 5, end: 9, label: "ts-2" });
  const again = new AbortController();
  const resumed = new FeedFollower(indexer, cursor, { waitSeconds: 1 }).follow((e) => { second.push(e); }, again.signal);
  await until(() => second.some((e) => e.streamId === later.id), "the second highlight in the feed");
  again.abort();
  await resumed;

  const sequences = [...first, ...second].map((e) => e.sequence);
  assert.equal(new Set(sequences).size, sequences.length, "no event twice");
  assert.ok(!second.some((e) => e.streamId === created.id), "the resumed follower starts after its cursor");
});

test("a live subscription catches up, then receives live changes", async () => {
  const documents = await alice.listDocuments();
  const document = documents[documents.length - 1];
  const before = await alice.addHighlight(document.id, { start: 1, end: 4 });
  const received: LiveChange[] = [];
  const subscription = new LiveSubscription(indexer.hubConnection(), document.id, 0, (c) => { received.push(c); });
  await subscription.start();
  assert.ok(received.some((c) => c.annotationId === before.id), "the catch-up includes what happened before joining");

  const live = await alice.addHighlight(document.id, { start: 4, end: 8 });
  await until(() => received.some((c) => c.annotationId === live.id), "the live change");
  const sequences = received.map((c) => c.sequence);
  assert.equal(new Set(sequences).size, sequences.length, "no change twice");
  assert.equal(received.find((c) => c.annotationId === live.id)!.eventType, "HighlightAdded");
  await subscription.stop();
});
