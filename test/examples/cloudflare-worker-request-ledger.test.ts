// examples/cloudflare-worker's protocol side of the ledger (src/request-ledger.ts) on a real D1 (miniflare's,
// migrated as wrangler does): which reports are owed, and the protocols' store.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { Ledger } from "../../examples/cloudflare-worker/src/ledger.ts";
import { RequestLedger } from "../../examples/cloudflare-worker/src/request-ledger.ts";
import type { D1Database } from "../../examples/cloudflare-worker/src/runtime.ts";
import { applyMigrations } from "../support/d1-migrations.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
let mf: Miniflare;
let db: D1Database;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    d1Databases: ["LEDGER"],
  });
  db = (await mf.getD1Database("LEDGER")) as unknown as D1Database;
  await applyMigrations(db as never, join(ROOT, "examples/cloudflare-worker/migrations"));
});
afterAll(async () => {
  await mf?.dispose();
});
beforeEach(async () => {
  await db.batch(
    ["callbacks", "protocol_store", "batches", "requests", "windows"].map((t) =>
      db.prepare(`DELETE FROM ${t}`),
    ),
  );
});

const T0 = 1_700_000_000_000;
const record = (id: string, callback: string | null, protocol: "drp" | "api" = "drp") =>
  new RequestLedger(db).record({
    id,
    datasetGroup: "shop",
    userHash: `hash-${id}`,
    receivedAt: T0,
    deadlineAt: T0 + 1,
    protocol,
    externalId: protocol === "api" ? null : `ext-${id}`,
    callback,
  });

describe("the protocols' store", () => {
  test("putIfAbsent: of racing writers exactly one wins; an expired value or the one named replaceable is written over", async () => {
    const requests = new RequestLedger(db);
    const now = Date.now();
    const raced = await Promise.all(
      ["a", "b", "c", "d"].map((v) => requests.storePutIfAbsent("k", v, now + 60_000, now)),
    );
    expect(raced.filter(Boolean)).toHaveLength(1);
    const winner = ["a", "b", "c", "d"][raced.indexOf(true)];
    expect(await requests.storeGet("k", now)).toBe(winner);
    // Expired: as good as absent.
    await requests.storePut("old", "x", now - 1);
    expect(await requests.storePutIfAbsent("old", "y", null, now)).toBe(true);
    expect(await requests.storeGet("old", now)).toBe("y");
    // Held: refused, unless it holds the value the caller may replace.
    expect(await requests.storePutIfAbsent("old", "z", null, now)).toBe(false);
    await requests.storePut("r", "retry", null);
    expect(await requests.storePutIfAbsent("r", "id-1", null, now, "retry")).toBe(true);
    expect(await requests.storePutIfAbsent("r", "id-2", null, now, "retry")).toBe(false);
    expect(await requests.storeGet("r", now)).toBe("id-1");
  });
});

describe("the reports owed", () => {
  test("a lost request with a callback target is owed its report (once) and queued by the cron; one without is not", async () => {
    const target = JSON.stringify({
      protocol: "drp",
      urls: ["https://agent.example/s"],
      externalId: "ext-r1",
    });
    await record("r1", target);
    await record("r2", null, "api");
    await record("r3", target.replace("ext-r1", "ext-r3"));
    await new Ledger(db).markLost(["r1", "r2"], "dead-lettered");
    const requests = new RequestLedger(db);
    const now = T0 + 3_600_000;
    // r3 still waits: nothing to report yet.
    expect(await requests.stalledCallbacks(now - 900_000, now, 100)).toEqual(["r1"]);
    expect(await requests.callback("r1")).toEqual({
      request_id: "r1",
      protocol: "drp",
      attempts: 0,
      delivered_at: null,
    });
    await requests.callbackDelivered("r1", now + 1);
    // Delivered: the next tick neither owes it again nor queues it.
    expect(await requests.stalledCallbacks(now + 2, now + 2, 100)).toEqual([]);
    const rows = await db.prepare("SELECT request_id FROM callbacks").all<{ request_id: string }>();
    expect(rows.results).toEqual([{ request_id: "r1" }]);
  });
});
