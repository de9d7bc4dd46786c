// The Worker's status page (examples/cloudflare-worker/src/status-page.ts, status-view.ts) from a ledger seeded
// through the Ledger's own methods on miniflare's D1, loaded in a real headless Chromium from npm with
// JavaScript off: what an operator reads (counts, the overdue first with deadlines, windows with stage and
// job, receipts, callbacks), what a screen reader gets (landmarks, headings in order, tables with headers),
// and what must never be there (a script, a user id or its keyed hash, markup from a stored value).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import type { Page, SerializedAXNode } from "puppeteer-core";
import { userHash } from "../../examples/cloudflare-worker/src/config.ts";
import type { Env } from "../../examples/cloudflare-worker/src/env.ts";
import { Ledger } from "../../examples/cloudflare-worker/src/ledger.ts";
import type { D1Database } from "../../examples/cloudflare-worker/src/runtime.ts";
import { renderStatusPage, type StatusView } from "../../examples/cloudflare-worker/src/status-page.ts";
import {
  daysLeft,
  pendingCallbacksQuery,
  readStatusView,
  recordsCallbacks,
} from "../../examples/cloudflare-worker/src/status-view.ts";
import { applyMigrations } from "../support/d1-migrations.ts";
import { launchBrowser } from "../support/headless-browser.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SCREENSHOT = join(ROOT, ".tmp/artifacts/status-page.png");
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const HOSTILE_GROUP = `<script>document.title="pwned"</script>&amp;'"`;
const HOSTILE_STAGE = `<img src=x onerror="document.title='pwned'">`;
const HOSTILE_REASON = "</td></tr></table><h1>forged</h1>";
const USERS = ["alice@example.com", "user-0042", "bob"];
const ENV = { LEDGER_KEY: "k".repeat(48) } as Env;

const launched = await launchBrowser();
if (launched.reason) console.warn(`SKIPPED the browser checks: ${launched.reason}`);
const inBrowser = launched.browser ? test : test.skip;

let mf: Miniflare;
let db: D1Database;
let hashes: string[];
let html: string;
let view: StatusView;
let page: Page | undefined;
let tree: SerializedAXNode | null = null;

// Each window through the ledger's own steps: opened, a batch placed, closed, its job made, then settled.
async function seed(ledger: Ledger): Promise<void> {
  hashes = await Promise.all(USERS.map((u) => userHash(ENV, u)));
  const request = (id: string, group: string, deadlineAt: number, hash: string) =>
    ledger.recordRequest({
      id,
      datasetGroup: group,
      userHash: hash,
      receivedAt: deadlineAt - 30 * DAY,
      deadlineAt,
    });
  const [alice, u42, bob] = hashes as [string, string, string];
  await request("req-overdue", "shop", NOW - 5 * DAY, alice);
  await ledger.markQueued("req-overdue");
  await request("req-lost", "shop", NOW - 2 * DAY, u42);
  await ledger.markLost(["req-lost"], HOSTILE_REASON);
  await request("req-hostile", HOSTILE_GROUP, NOW + DAY + 3_600_000, bob);
  await request("req-soon", "shop", NOW + 4 * DAY, alice);
  await request("req-later", "shop", NOW + 20 * DAY, u42);
  await request("req-done", "shop", NOW - DAY, bob);
  await request("req-deleted", "shop", NOW + 10 * DAY, alice);

  const window = async (group: string, id: string, requestIds: string[], openedAt: number) => {
    const jobName = `erasure-${id.replace(/\W/g, "-")}`;
    await ledger.openWindowFor(group, { id, folder: `s3://bucket/${id}/`, openedAt, jobName });
    const placed = await ledger.placeBatch({
      id: `batch-${id}`,
      windowId: id,
      key: `${id}/batch.csv`,
      bytes: 40,
      sha256: "d",
      requestIds,
      now: openedAt,
    });
    expect(placed).toBe(true);
    return {
      id,
      folder: "",
      status: "open",
      opened_at: openedAt,
      last_batch_at: null,
      job_name: jobName,
    } as const;
  };
  const submitted = async (...args: Parameters<typeof window>) => {
    const w = await window(...args);
    await ledger.closeWindow(w.id, args[3] + 1000);
    await ledger.markSubmitted(
      { ...w, requests: 1, stage: null },
      `arn:aws:personalize:job/${w.job_name}`,
      args[3],
    );
    return w;
  };
  const settle = (id: string, outcome: "completed" | "deleted", stage: string, now: number) =>
    ledger.settleWindow(id, { stage, receiptKey: `receipts/${id}.json`, outcome, failure: "", now });

  await submitted("shop", "shop/done", ["req-done"], NOW - 20 * DAY);
  await settle("shop/done", "completed", "complete", NOW - 12 * DAY);
  await submitted("shop", "shop/del", ["req-deleted"], NOW - 15 * DAY);
  await settle("shop/del", "deleted", "models-hold-users", NOW - 3 * DAY);
  await submitted("shop", "shop/sub", ["req-later"], NOW - 10 * DAY);
  // A look at a window still in progress stores its receipt without an outcome.
  await ledger.settleWindow("shop/sub", {
    stage: "retraining",
    receiptKey: "receipts/shop/sub.json",
    outcome: undefined,
    failure: "",
    now: NOW,
  });
  await submitted(HOSTILE_GROUP, `${HOSTILE_GROUP}/w`, ["req-hostile"], NOW - 3 * DAY);
  await ledger.recordStage(`${HOSTILE_GROUP}/w`, HOSTILE_STAGE);
  await window("shop", "shop/open", ["req-soon"], NOW - DAY);
}

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    d1Databases: ["LEDGER", "WITH_CALLBACKS"],
  });
  db = (await mf.getD1Database("LEDGER")) as unknown as D1Database;
  await applyMigrations(db as never, join(ROOT, "examples/cloudflare-worker/migrations"));
  const ledger = new Ledger(db);
  await seed(ledger);
  view = await readStatusView(db, { now: NOW });
  html = renderStatusPage(view);
  if (launched.browser) {
    page = await launched.browser.newPage();
    // The page must work with no script at all: the browser runs none.
    await page.setJavaScriptEnabled(false);
    await page.setViewport({ width: 1200, height: 900 });
    await page.setContent(html, { waitUntil: "load" });
    // The whole tree: Chromium's "interesting only" pruning drops tables, rows and headers.
    tree = await page.accessibility.snapshot({ interestingOnly: false });
    mkdirSync(join(ROOT, ".tmp/artifacts"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`status page screenshot: ${SCREENSHOT}`);
  }
}, 60_000);

afterAll(async () => {
  await launched.browser?.close();
  await mf?.dispose();
});

const walk = (node: SerializedAXNode | null | undefined, out: SerializedAXNode[] = []) => {
  if (!node) return out;
  out.push(node);
  for (const child of node.children ?? []) walk(child, out);
  return out;
};
const ofRole = (node: SerializedAXNode | null | undefined, role: string) =>
  walk(node).filter((n) => n.role === role);
// Every text in a node, as a screen reader would read its cells.
const texts = (node: SerializedAXNode): string[] =>
  walk(node)
    .filter((n) => n.role === "StaticText" && n.name)
    .map((n) => n.name as string);
const tableCaptioned = (start: string) => {
  const table = ofRole(tree, "table").find((t) => (t.name ?? "").startsWith(start));
  if (!table)
    throw new Error(`no table captioned "${start}…" in ${ofRole(tree, "table").map((t) => t.name)}`);
  return table;
};
const rowsOf = (table: SerializedAXNode) =>
  ofRole(table, "row")
    .filter((r) => ofRole(r, "columnheader").length === 0)
    .map((r) => texts(r));

describe("the status page's view of a seeded ledger", () => {
  test("counts every status, and lists the overdue and at-risk requests as the ledger's own at-risk rule does", async () => {
    expect(view.counts).toEqual({ queued: 1, lost: 1, submitted: 2, in_window: 1, completed: 1, deleted: 1 });
    const ids = view.atRisk.map((r) => r.requestId);
    expect(ids).toEqual(["req-overdue", "req-lost", "req-hostile", "req-soon"]);
    const ledgerIds = (await new Ledger(db).requestsAtRisk(NOW + 7 * DAY, 100)).map((r) => r.id);
    expect(ids).toEqual(ledgerIds);
    expect(view.atRiskTotal).toBe(4);
    expect(view.atRisk.map((r) => [r.overdue, r.daysLeft])).toEqual([
      [true, -5],
      [true, -2],
      [false, 1],
      [false, 4],
    ]);
    expect(view.activeWindows.map((w) => [w.windowId, w.status, w.stage])).toEqual([
      ["shop/sub", "submitted", "retraining"],
      [`${HOSTILE_GROUP}/w`, "submitted", HOSTILE_STAGE],
      ["shop/open", "open", null],
    ]);
    // The one still in progress first, then the most recently settled.
    expect(view.receipts.map((r) => r.key)).toEqual([
      "receipts/shop/sub.json",
      "receipts/shop/del.json",
      "receipts/shop/done.json",
    ]);
    expect(await recordsCallbacks(db)).toBe(view.pendingCallbacks !== undefined);
  });

  test("days left: whole days ahead rounded down, days overdue rounded up, a deadline just passed is overdue", () => {
    expect(daysLeft(NOW + DAY - 1, NOW)).toEqual({ overdue: false, daysLeft: 0 });
    expect(daysLeft(NOW + 2 * DAY, NOW)).toEqual({ overdue: false, daysLeft: 2 });
    expect(daysLeft(NOW, NOW)).toEqual({ overdue: true, daysLeft: -1 });
    expect(daysLeft(NOW - DAY - 1, NOW)).toEqual({ overdue: true, daysLeft: -2 });
  });

  test("the page holds no script, no user id and no keyed hash of one, and every stored value escaped", () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain("<h1>forged");
    for (const secret of [...USERS, ...hashes, ...hashes.map((h) => h.slice(0, 16))]) {
      expect(html).not.toContain(secret);
    }
    expect(html).toContain(
      "&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;&amp;amp;&#39;&quot;",
    );
  });
});

describe("the status page in headless Chromium, JavaScript off", () => {
  inBrowser("has a language, a title, landmarks and headings in order", async () => {
    expect(await page?.$eval("html", (e) => e.getAttribute("lang"))).toBe("en");
    expect(tree?.role).toBe("RootWebArea");
    expect(tree?.name).toBe("Erasure status: 2 requests overdue");
    for (const landmark of ["banner", "navigation", "main"]) expect(ofRole(tree, landmark)).toHaveLength(1);
    const headings = ofRole(tree, "heading").map((h) => [h.level, h.name]);
    expect(headings).toEqual([
      [1, "Erasure status"],
      [2, "Overdue and at risk"],
      [2, "Requests by state"],
      [2, "Windows in progress"],
      [2, "Receipts"],
      [2, "Callbacks pending"],
    ]);
  });

  inBrowser("every table has column headers and row headers", () => {
    const tables = ofRole(tree, "table");
    expect(tables).toHaveLength(4);
    for (const table of tables) {
      expect(ofRole(table, "columnheader").length).toBeGreaterThanOrEqual(3);
      expect(ofRole(table, "rowheader").length).toBe(rowsOf(table).length);
    }
    expect(ofRole(tableCaptioned("2 requests overdue"), "columnheader").map((h) => h.name)).toEqual([
      "Request",
      "Dataset group",
      "State",
      "Deadline",
      "Time left",
      "Reason",
    ]);
  });

  inBrowser("the overdue come first with their deadlines, in words and not only colour", () => {
    const rows = rowsOf(tableCaptioned("2 requests overdue, 2 due within 7 days"));
    expect(rows.map((r) => r[0])).toEqual(["req-overdue", "req-lost", "req-hostile", "req-soon"]);
    expect(rows[0]).toEqual(["req-overdue", "shop", "queued", "2026-12-01 12:00 UTC", "Overdue by 5 days"]);
    expect(rows[1]).toEqual([
      "req-lost",
      "shop",
      "lost",
      "2026-12-04 12:00 UTC",
      "Overdue by 2 days",
      HOSTILE_REASON,
    ]);
    expect(rows[2]).toEqual([
      "req-hostile",
      HOSTILE_GROUP,
      "submitted",
      "2026-12-07 13:00 UTC",
      "1 day left",
    ]);
    expect(rows[3]?.slice(4)).toEqual(["4 days left"]);
  });

  inBrowser("the counts by state, each with what it means", () => {
    const rows = rowsOf(tableCaptioned("7 requests in the ledger"));
    const count = Object.fromEntries(rows.map((r) => [r[0], r[1]]));
    expect(count).toMatchObject({ queued: "1", lost: "1", in_window: "1", submitted: "2", completed: "1" });
    expect(count).toMatchObject({ deleted: "1", received: "0", completed_in_personalize: "0", failed: "0" });
    expect(rows.find((r) => r[0] === "deleted")?.[2]).toContain("still in the models");
  });

  inBrowser("each window in progress with its state, stage and job; a hostile stage stays text", async () => {
    const rows = rowsOf(tableCaptioned("3 windows not yet settled"));
    expect(rows[0]?.slice(0, 5)).toEqual(["shop/sub", "shop", "submitted", "retraining", "erasure-shop-sub"]);
    expect(rows[1]?.slice(0, 4)).toEqual([`${HOSTILE_GROUP}/w`, HOSTILE_GROUP, "submitted", HOSTILE_STAGE]);
    expect(rows[2]?.slice(0, 5)).toEqual(["shop/open", "shop", "open", "not started", "erasure-shop-open"]);
    expect(await page?.$$eval("script, img", (found) => found.length)).toBe(0);
    expect(await page?.title()).not.toBe("pwned");
  });

  inBrowser(
    "receipts link to their download path; callbacks say whether the ledger records them",
    async () => {
      const links = ofRole(tableCaptioned("The 3 most recent receipts"), "link").map((l) => l.name);
      expect(links).toEqual(["receipts/shop/sub.json", "receipts/shop/del.json", "receipts/shop/done.json"]);
      const hrefs = await page?.$$eval("a[download]", (as) => as.map((a) => a.getAttribute("href")));
      expect(hrefs).toEqual([
        "/receipts/receipts%2Fshop%2Fsub.json",
        "/receipts/receipts%2Fshop%2Fdel.json",
        "/receipts/receipts%2Fshop%2Fdone.json",
      ]);
      const callbacks = ofRole(tree, "heading").find((h) => h.name === "Callbacks pending");
      expect(callbacks).toBeDefined();
      if (view.pendingCallbacks === undefined) {
        expect(texts(tree as SerializedAXNode)).toContain("This ledger does not record callbacks.");
      }
    },
  );
});

// Migration 0005 makes the callbacks table; the CREATE below stands in only for a ledger migrated before it,
// with the columns the page's query reads (see pendingCallbacksQuery).
describe("pending callbacks, on a ledger that records them", () => {
  let callbacksDb: D1Database;
  beforeAll(async () => {
    callbacksDb = (await mf.getD1Database("WITH_CALLBACKS")) as unknown as D1Database;
    await applyMigrations(callbacksDb as never, join(ROOT, "examples/cloudflare-worker/migrations"));
    await callbacksDb
      .prepare(
        "CREATE TABLE IF NOT EXISTS callbacks (request_id TEXT NOT NULL, protocol TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER, delivered_at INTEGER)",
      )
      .run();
    const add = (
      id: string,
      protocol: string,
      attempts: number,
      next: number | null,
      delivered: number | null,
    ) =>
      callbacksDb
        .prepare(
          "INSERT INTO callbacks (request_id, protocol, attempts, next_attempt_at, delivered_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id, protocol, attempts, next, delivered);
    await callbacksDb.batch([
      add("req-a", "opengdpr", 3, NOW + 3_600_000, null),
      add("req-b", "transcend", 1, NOW + 600_000, null),
      add("req-c", "drp", 2, NOW - 600_000, NOW - 60_000),
      add("req-d", "opengdpr", 8, null, null),
    ]);
  });

  test("the undelivered ones, the next due first and those with no try scheduled last", async () => {
    expect(await recordsCallbacks(callbacksDb)).toBe(true);
    const listed = (await pendingCallbacksQuery(callbacksDb, 10).all<{ request_id: string }>()).results;
    expect(listed.map((c) => c.request_id)).toEqual(["req-b", "req-a", "req-d"]);
    const { pendingCallbacks } = await readStatusView(callbacksDb, { now: NOW });
    expect(pendingCallbacks).toEqual([
      { requestId: "req-b", protocol: "transcend", attempts: 1, nextAttemptAt: NOW + 600_000 },
      { requestId: "req-a", protocol: "opengdpr", attempts: 3, nextAttemptAt: NOW + 3_600_000 },
      { requestId: "req-d", protocol: "opengdpr", attempts: 8, nextAttemptAt: null },
    ]);
  });

  inBrowser("are a table with their protocol, attempts and next try", async () => {
    const view = await readStatusView(callbacksDb, { now: NOW });
    const callbacksPage = await launched.browser?.newPage();
    await callbacksPage?.setJavaScriptEnabled(false);
    await callbacksPage?.setContent(renderStatusPage(view), { waitUntil: "load" });
    const snapshot = await callbacksPage?.accessibility.snapshot({ interestingOnly: false });
    await callbacksPage?.close();
    const table = ofRole(snapshot, "table").find((t) => t.name === "3 callbacks not delivered yet");
    expect(table).toBeDefined();
    expect(ofRole(table, "columnheader").map((h) => h.name)).toEqual([
      "Request",
      "Protocol",
      "Attempts",
      "Next attempt",
    ]);
    expect(rowsOf(table as SerializedAXNode)).toEqual([
      ["req-b", "transcend", "1", "2026-12-06 12:10 UTC"],
      ["req-a", "opengdpr", "3", "2026-12-06 13:00 UTC"],
      ["req-d", "opengdpr", "8", "none scheduled"],
    ]);
  });
});
