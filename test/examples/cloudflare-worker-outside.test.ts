// examples/cloudflare-worker past Personalize's edge (issue #23), in workerd (miniflare) against the emulator
// with its outside data (a FULL import source, batch inference input and output, batch segment output and a
// dataset export in the bucket `emulator-data`): with the default SCRUB = "false" the receipt lists the
// locations `not-scanned` and the requests settle `completed_in_personalize`, never `completed`; with
// SCRUB = "true" the window is reported erased everywhere only when its receipt says so. The S3 side is judged
// with the AWS SDK v3, read before and after.
// The stage reads the window's ids from the folder its job read, and the ticks after the scrub (a retrain
// takes several) read what it recorded beside that folder.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Miniflare } from "miniflare";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { applyMigrations } from "../support/d1-migrations.ts";
import { bundleWorker } from "../support/worker-bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MIGRATIONS = join(ROOT, "examples/cloudflare-worker/migrations");
const TOKEN = "outside-intake-token-0123456789abcdef";
const LEDGER_KEY = "outside-ledger-key-0123456789abcdef";
const SUPPRESSION_KEY = "outside-suppression-key-0123456789abcdef";
const DATA_BUCKET = "emulator-data";
const SUPPRESSION_BUCKET = "erasure-suppression";
// Sorted first, so the seeded batch inference job (the first 10 users) holds them; no id is a prefix of another.
const ERASED = ["erase-a", "erase-b", "erase-c"];
const KEPT = ["keep-d", "keep-e", "keep-f", "keep-g", "keep-h", "keep-i", "keep-j", "keep-k", "keep-l"];
// "scrubbed" is served by a Worker with SCRUB = "true", "listed" by one with the default "false".
const GROUPS = ["scrubbed", "listed"] as const;
type Group = (typeof GROUPS)[number];

let emu: RunningEmulator;
let s3: S3Client;
const workers = new Map<Group, Miniflare>();
const logged: string[] = [];
// Every object version under each group's outside data, as the Worker found it: key@version -> text.
const before = new Map<Group, Map<string, string>>();

const interactions = [...ERASED, ...KEPT].flatMap((userId, u) =>
  [0, 1, 2].map((i) => ({ userId, itemId: `item-${(u + i) % 7}`, timestamp: 1700000000 + u * 10 + i })),
);

async function versionsUnder(prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: DATA_BUCKET, Prefix: prefix }));
  expect(listed.IsTruncated ?? false).toBe(false);
  for (const v of listed.Versions ?? []) {
    const got = await s3.send(
      new GetObjectCommand({ Bucket: DATA_BUCKET, Key: v.Key, VersionId: v.VersionId ?? undefined }),
    );
    out.set(
      `${v.Key}@${v.VersionId ?? "null"}`,
      await (got.Body as { transformToString(): Promise<string> }).transformToString(),
    );
  }
  return out;
}

const holdsErased = (text: string) =>
  ERASED.some((id) => text.includes(`"${id}"`) || new RegExp(`(^|[,\\n])${id}(,|$)`, "m").test(text));

function miniflare(group: Group, vars: Record<string, string>): Miniflare {
  return new Miniflare({
    modules: true,
    script: bundle,
    compatibilityDate: "2026-04-01",
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr])
        stream.on("data", (chunk: Buffer) => logged.push(...String(chunk).split("\n")));
    },
    d1Databases: ["LEDGER"],
    r2Buckets: ["RECEIPTS"],
    queueProducers: { ERASURE_QUEUE: { queueName: "erasure-requests" } },
    workflows: { WINDOW_WORKFLOW: { name: "erasure-window", className: "WindowWorkflow" } },
    queueConsumers: { "erasure-requests": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 } },
    bindings: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL: emu.endpoint,
      DATASET_GROUPS: `${group}=${emu.emulator.state.datasetGroupArn(group)}`,
      ROLE_ARN: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
      S3_URI: `s3://${emu.emulator.bucket}/intake/`,
      INTAKE_TOKEN: TOKEN,
      LEDGER_KEY,
      DEADLINE_DAYS: "30",
      RETRY_DELAY_SECONDS: "1",
      // Only a retrained model makes the receipt complete in Personalize, which completeEverywhere needs.
      RETRAIN: "true",
      SCAN: "false",
      SCRUB: "false",
      WINDOW_IDLE_SECONDS: "1",
      WINDOW_MAX_SECONDS: "10",
      LOOK_FIRST_SECONDS: "1",
      LOOK_MAX_SECONDS: "1",
      ...vars,
    },
  });
}

let bundle: string;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    jobSeconds: 1,
    trainingSeconds: 1,
    campaignSeconds: 1,
    datasetGroupName: "scrubbed",
    seed: interactions,
    moreDatasetGroups: [{ name: "listed", seed: interactions }],
    outsideData: true,
  });
  s3 = new S3Client({
    region: "us-east-1",
    endpoint: emu.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: SUPPRESSION_BUCKET }));
  for (const group of GROUPS) before.set(group, await versionsUnder(`${group}/`));
  bundle = await bundleWorker(join(ROOT, "examples/cloudflare-worker/src/index.ts"));
  workers.set(
    "scrubbed",
    miniflare("scrubbed", {
      SCRUB: "true",
      SUPPRESSION: `s3://${SUPPRESSION_BUCKET}/erased/`,
      SUPPRESSION_KEY,
    }),
  );
  workers.set("listed", miniflare("listed", { DEADLINE_DAYS: "5" }));
  for (const mf of workers.values())
    await applyMigrations((await mf.getD1Database("LEDGER")) as never, MIGRATIONS);
});
afterAll(async () => {
  for (const mf of workers.values()) await mf.dispose();
  s3?.destroy();
  await emu?.close();
});

interface Status {
  status: string;
  stage?: string;
  receipt?: string;
  completeEverywhere?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Takes the erased users' requests, ticks the cron until they settle, and returns their statuses and receipt.
async function erase(group: Group) {
  const mf = workers.get(group) as Miniflare;
  const ids: string[] = [];
  for (const userId of ERASED) {
    const res = await mf.dispatchFetch("http://intake.example/erasure-requests", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ userId, datasetGroup: group }),
    });
    expect(res.status).toBe(202);
    ids.push(((await res.json()) as { requestId: string }).requestId);
  }
  const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<unknown> };
  const statusOf = async (id: string) =>
    (await (await mf.dispatchFetch(`http://intake.example/erasure-requests/${id}`)).json()) as Status;
  const end = Date.now() + 90_000;
  let statuses: Status[] = [];
  while (Date.now() < end) {
    await sleep(1000);
    await worker.scheduled({ cron: "*/10 * * * *" });
    statuses = await Promise.all(ids.map(statusOf));
    if (statuses.every((s) => s.receipt !== undefined || s.status === "failed")) break;
  }
  const key = statuses[0]?.receipt;
  expect(key).toBeDefined();
  const receipts = (await mf.getR2Bucket("RECEIPTS")) as unknown as {
    get(key: string): Promise<{ text(): Promise<string> } | null>;
  };
  const text = await ((await receipts.get(key as string)) as { text(): Promise<string> }).text();
  const db = await mf.getD1Database("LEDGER");
  const windows = (await db.prepare("SELECT status FROM windows").all()).results as { status: string }[];
  return { statuses, text, receipt: JSON.parse(text), windows };
}

describe("the window's erasure past Personalize's edge", () => {
  test('SCRUB = "true": complete everywhere, the erased users gone from every object version, every other row kept, suppressed as hashes', async () => {
    const { statuses, text, receipt, windows } = await erase("scrubbed");
    expect(receipt.receiptVersion).toBe(3);
    expect(receipt.complete).toBe(true);
    expect(receipt.outsidePersonalize.checked).toBe("scrubbed");
    expect(receipt.outsidePersonalize.pending).toEqual([]);
    const kinds = new Set(receipt.outsidePersonalize.locations.map((l: { kind: string }) => l.kind));
    for (const kind of [
      "dataset-import",
      "batch-inference-input",
      "batch-inference-output",
      "batch-segment-output",
      "dataset-export",
    ])
      expect(kinds.has(kind)).toBe(true);
    for (const l of receipt.outsidePersonalize.locations) expect(["clean", "scrubbed"]).toContain(l.state);
    expect(receipt.completeEverywhere).toBe(true);
    expect(statuses.map((s) => [s.status, s.completeEverywhere])).toEqual(
      ERASED.map(() => ["completed", true]),
    );
    expect(windows.map((w) => w.status)).toEqual(["complete"]);
    // The suppression list got one object of 3 hashes (32 bytes each); the receipt names it, never an id.
    expect(receipt.outsidePersonalize.suppression).toMatchObject({ hashes: ERASED.length });
    const suppressed = await s3.send(
      new ListObjectsV2Command({ Bucket: SUPPRESSION_BUCKET, Prefix: "erased/" }),
    );
    expect((suppressed.Contents ?? []).map((o) => [o.Key, o.Size])).toEqual([
      [receipt.outsidePersonalize.suppression.object, 32 * ERASED.length],
    ]);
    for (const id of ERASED) expect(text).not.toContain(id);

    // Judged with the SDK: no version under the group's outside data holds an erased user any more, and
    // each rewritten object is its former rows without theirs (the segment lists without their entries).
    const was = before.get("scrubbed") as Map<string, string>;
    expect([...was.values()].filter(holdsErased).length).toBeGreaterThanOrEqual(5);
    const now = await versionsUnder("scrubbed/");
    expect(now.size).toBeGreaterThanOrEqual(5);
    for (const [at, body] of now) expect({ at, holds: holdsErased(body) }).toEqual({ at, holds: false });
    const current = (key: string, versions: Map<string, string>) =>
      [...versions].find(([at]) => at.startsWith(`${key}@`))?.[1] ?? "";
    for (const key of new Set([...now.keys()].map((at) => at.slice(0, at.lastIndexOf("@"))))) {
      const old = current(key, was);
      const fresh = current(key, now);
      if (key.includes("/segments/output/")) {
        for (const id of KEPT) expect(fresh.split(`"${id}"`).length).toBe(old.split(`"${id}"`).length);
        continue;
      }
      const kept = old
        .split("\n")
        .filter((line) => !holdsErased(line))
        .join("\n");
      expect({ key, body: fresh }).toEqual({ key, body: kept });
    }
    const imported = current("scrubbed/interactions.csv", now);
    for (const id of KEPT) expect(imported).toContain(`\n${id},`);
  }, 120_000);

  test('SCRUB = "false": the locations listed not-scanned, the requests completed in Personalize only, the data untouched', async () => {
    const { statuses, receipt, windows } = await erase("listed");
    expect(receipt.complete).toBe(true);
    expect(receipt.completeEverywhere).toBe(false);
    expect(receipt.outsidePersonalize.checked).toBe("listed");
    const locations = receipt.outsidePersonalize.locations as {
      kind: string;
      state: string;
      location: string;
    }[];
    expect(locations.length).toBeGreaterThanOrEqual(5);
    expect(new Set(locations.map((l) => l.state))).toEqual(new Set(["not-scanned"]));
    for (const l of locations) expect(l.location.startsWith(`s3://${DATA_BUCKET}/listed/`)).toBe(true);
    expect(receipt.outsidePersonalize.pending.length).toBe(locations.length);
    expect(statuses.map((s) => [s.status, s.stage, s.completeEverywhere])).toEqual(
      ERASED.map(() => ["completed_in_personalize", "complete", false]),
    );
    expect(windows.map((w) => w.status)).toEqual(["complete_in_personalize"]);
    // Nothing read or written there: every version as it was, the users still in it.
    expect(await versionsUnder("listed/")).toEqual(before.get("listed") as Map<string, string>);
    // Not erased everywhere, so still among the requests at risk an operator is shown (deadline 5 days away).
    const mf = workers.get("listed") as Miniflare;
    const atRisk = await mf.dispatchFetch("http://intake.example/erasure-requests?overdue=true", {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const shown = ((await atRisk.json()) as { requests: { status: string }[] }).requests;
    expect(shown.map((r) => r.status)).toEqual(ERASED.map(() => "completed_in_personalize"));
  }, 120_000);
});
