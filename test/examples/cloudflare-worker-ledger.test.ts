// examples/cloudflare-worker's data layer (src/ledger.ts) on a real D1 (miniflare's, migrated as wrangler
// does): the rules the consumer and the cron rely on, each a statement that could match too much or too little.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import {
  Ledger,
  type RequestStatus,
  type WindowStatus,
} from "../../examples/cloudflare-worker/src/ledger.ts";
import type { D1Database } from "../../examples/cloudflare-worker/src/runtime.ts";
import { applyMigrations } from "../support/d1-migrations.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
let mf: Miniflare;
let db: D1Database;
let ledger: Ledger;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    d1Databases: ["LEDGER"],
  });
  db = (await mf.getD1Database("LEDGER")) as unknown as D1Database;
  await applyMigrations(db as never, join(ROOT, "examples/cloudflare-worker/migrations"));
  ledger = new Ledger(db);
});
afterAll(async () => {
  await mf?.dispose();
});
beforeEach(async () => {
  await db.batch(["jobs", "batches", "requests", "windows"].map((t) => db.prepare(`DELETE FROM ${t}`)));
});

const T0 = 1_700_000_000_000;
const request = (id: string, receivedAt = T0) =>
  ledger.recordRequest({
    id,
    datasetGroup: "shop",
    userHash: `hash-${id}`,
    receivedAt,
    deadlineAt: receivedAt + 1,
  });
const statusOf = async (id: string) =>
  (await db.prepare("SELECT status FROM requests WHERE id = ?").bind(id).first<{ status: RequestStatus }>())
    ?.status;
const windowStatusOf = async (id: string) =>
  (await db.prepare("SELECT status FROM windows WHERE id = ?").bind(id).first<{ status: WindowStatus }>())
    ?.status;
const open = (id: string, openedAt = T0) =>
  ledger.openWindowFor("shop", { id, folder: `s3://b/${id}/`, openedAt, jobName: `w-${id}` });
const place = (batchId: string, windowId: string, requestIds: string[], now = T0) =>
  ledger.placeBatch({
    id: batchId,
    windowId,
    key: `${windowId}/${batchId}.csv`,
    bytes: 10,
    sha256: "d",
    requestIds,
    now,
  });

describe("the ledger", () => {
  test("a dataset group has one open window: a second opener gets the first", async () => {
    const first = await open("shop/a");
    const second = await open("shop/b", T0 + 5);
    expect(second).toEqual(first);
    expect(await windowStatusOf("shop/b")).toBeUndefined();
  });

  test("a batch is placed only in an open window, and only while every one of its requests still waits", async () => {
    for (const id of ["r1", "r2", "r3"]) await request(id);
    await ledger.markQueued("r1");
    await ledger.markLost(["r3"], "dead-lettered");
    const w = await open("shop/a");
    expect(await ledger.claimForBatch(["r1", "r2", "r3"], T0)).toEqual(new Set(["r1", "r2"]));
    // A file naming r3, withdrawn meanwhile, is not recorded: nothing moves, and the consumer takes it back.
    expect(await place("b0", w.id, ["r1", "r2", "r3"])).toBe(false);
    expect([await statusOf("r1"), await statusOf("r2")]).toEqual(["queued", "received"]);
    expect(await ledger.batchKeys(w.id)).toEqual([]);
    expect(await place("b1", w.id, ["r1", "r2"])).toBe(true);
    expect([await statusOf("r1"), await statusOf("r2"), await statusOf("r3")]).toEqual([
      "in_window",
      "in_window",
      "lost",
    ]);
    // A window closed meanwhile takes nothing: no batch, no request moved, no bytes counted.
    await request("r4");
    await ledger.closeWindow(w.id, T0 + 1);
    expect(await place("b2", w.id, ["r4"])).toBe(false);
    expect(await statusOf("r4")).toBe("received");
    const row = await db.prepare("SELECT bytes, requests FROM windows WHERE id = ?").bind(w.id).first();
    expect(row).toEqual({ bytes: 10, requests: 2 });
    expect(await ledger.batchKeys(w.id)).toEqual([`${w.id}/b1.csv`]);
  });

  test("windowsToClose: full or closing at once; open only with requests, once idle or open long enough", async () => {
    const rule = { now: T0 + 1000, idleMs: 300, maxMs: 900 };
    // Open, no requests: never closed, however old.
    await open("shop/empty", T0);
    expect(await ledger.windowsToClose("shop", rule)).toEqual([]);
    await request("r1");
    await place("b1", "shop/empty", ["r1"], T0 + 800);
    // A batch 200 ms ago, open 1000 ms: past WINDOW_MAX (900) though not idle.
    expect((await ledger.windowsToClose("shop", rule)).map((w) => w.id)).toEqual(["shop/empty"]);
    // Neither idle (200 < 300) nor old enough (1000 < 5000): it stays open.
    expect(await ledger.windowsToClose("shop", { ...rule, maxMs: 5000 })).toEqual([]);
    // Idle for 300 ms: it goes.
    expect(await ledger.windowsToClose("shop", { ...rule, now: T0 + 1100, maxMs: 5000 })).toHaveLength(1);
    await ledger.markFull("shop/empty");
    expect(await ledger.windowsToClose("shop", { ...rule, maxMs: 5000 })).toHaveLength(1);
    // Another dataset group's windows are not this one's.
    expect(await ledger.windowsToClose("books", rule)).toEqual([]);
  });

  test("a window submitted, then settled: requests settled once, with the receipt; a failure names its reason", async () => {
    for (const id of ["r1", "r2"]) await request(id);
    const w = await open("shop/a");
    await place("b1", w.id, ["r1", "r2"]);
    await ledger.closeWindow(w.id, T0 + 1);
    const [win] = await ledger.windowsToClose("shop", { now: T0 + 2, idleMs: 0, maxMs: 0 });
    if (!win) throw new Error("the closing window is not ready");
    await ledger.markSubmitted(win, "arn:job", T0 + 2);
    expect((await ledger.windowsInFlight("shop")).map((x) => x.stage)).toEqual(["deleting"]);
    // In progress: the window keeps its status, its requests theirs.
    await ledger.settleWindow(w.id, {
      stage: "retrain",
      receiptKey: "k",
      outcome: undefined,
      failure: "x",
      now: T0 + 3,
    });
    expect([await windowStatusOf(w.id), await statusOf("r1")]).toEqual(["submitted", "submitted"]);
    await ledger.settleWindow(w.id, {
      stage: "complete",
      receiptKey: "k",
      outcome: "completed",
      failure: "x",
      now: T0 + 4,
    });
    expect(await windowStatusOf(w.id)).toBe("complete");
    const settled = await db
      .prepare("SELECT status, receipt_key, failure, completed_at FROM requests ORDER BY id")
      .all();
    expect(settled.results).toEqual([
      { status: "completed", receipt_key: "k", failure: null, completed_at: T0 + 4 },
      { status: "completed", receipt_key: "k", failure: null, completed_at: T0 + 4 },
    ]);
    expect(await ledger.requestArrivals(w.id)).toEqual({ first: T0, last: T0, requests: 2 });
    expect(await ledger.requestsAtRisk(T0 + 10, 10)).toEqual([]);
  });

  test("complete in Personalize only: the window complete_in_personalize, its requests completed_in_personalize and still at risk", async () => {
    for (const id of ["r1", "r2"]) await request(id);
    const w = await open("shop/a");
    await place("b1", w.id, ["r1", "r2"]);
    await ledger.closeWindow(w.id, T0 + 1);
    const [win] = await ledger.windowsToClose("shop", { now: T0 + 2, idleMs: 0, maxMs: 0 });
    if (!win) throw new Error("the closing window is not ready");
    await ledger.markSubmitted(win, "arn:job", T0 + 2);
    await ledger.settleWindow(w.id, {
      stage: "complete",
      receiptKey: "k",
      outcome: "completed_in_personalize",
      failure: "x",
      now: T0 + 4,
    });
    expect(await windowStatusOf(w.id)).toBe("complete_in_personalize");
    expect(await ledger.windowsInFlight("shop")).toEqual([]);
    const row = await ledger.requestById("r1");
    expect([row?.status, row?.receipt_key, row?.completed_at, row?.stage]).toEqual([
      "completed_in_personalize",
      "k",
      T0 + 4,
      "complete",
    ]);
    // Not erased everywhere: an operator still sees them as their deadline nears (here, passes).
    expect((await ledger.requestsAtRisk(T0 + 10, 10)).map((r) => r.id).sort()).toEqual(["r1", "r2"]);
  });

  test("a failed window fails its unsettled requests only; a request never queued is lost after the cut-off", async () => {
    for (const id of ["r1", "r2"]) await request(id);
    const w = await open("shop/a");
    await place("b1", w.id, ["r1"]);
    await ledger.failWindow(w.id, "a job of its name from another list", T0 + 5);
    expect([await windowStatusOf(w.id), await statusOf("r1"), await statusOf("r2")]).toEqual([
      "failed",
      "failed",
      "received",
    ]);
    await ledger.markUnqueuedLost(T0, "never queued");
    expect(await statusOf("r2")).toBe("received");
    await ledger.markUnqueuedLost(T0 + 1, "never queued");
    expect(await statusOf("r2")).toBe("lost");
    const risky = await ledger.requestsAtRisk(T0 + 10, 10);
    expect(risky.map((r) => [r.id, r.status, r.failure]).sort()).toEqual([
      ["r1", "failed", "a job of its name from another list"],
      ["r2", "lost", "never queued"],
    ]);
  });
});
