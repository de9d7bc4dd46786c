// The stage past Personalize's edge through eraseUsers, on the emulator's sample with its data around
// Personalize (import source, batch files, export) and a versioned data bucket; the AWS SDK v3 is the
// independent judge of what S3 and Personalize hold afterwards. With scrub: no erased user in any object or
// version, every other line kept, and a FULL re-import from the scrubbed source does not bring them back.
// Without: the receipt says where they are, and the same re-import does (the resurrection, shown).
import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { CreateDatasetImportJobCommand, PersonalizeClient } from "@aws-sdk/client-personalize";
import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { EraseUsersEvent, ErasureReceipt } from "../../../src/erasure/index.ts";
import { erasureClientFor, ROLE_ARN } from "../../support/client.ts";
import { fakeClock } from "../../support/fake-clock.ts";
import {
  startVerifyingServer,
  TEST_CREDENTIALS,
  type VerifyingServer,
} from "../../support/verifying-server.ts";

const DATA = "emulator-data";
const ERASED = ["user-003", "user-007", "user-011"];
let server: VerifyingServer;
afterEach(() => server?.close());

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validateReceipt = ajv.compile(
  JSON.parse(readFileSync(new URL("../../../schema/erasure-receipt.schema.json", import.meta.url), "utf8")),
);

function world() {
  server = startVerifyingServer({ jobSeconds: 0, trainingSeconds: 0, campaignSeconds: 0, outsideData: true });
  const sdk = { region: "us-east-1", endpoint: server.url, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  return {
    client: erasureClientFor(server),
    personalize: new PersonalizeClient(sdk),
    s3: new S3Client({ ...sdk, forcePathStyle: true }),
    dsg: server.emulator.datasetGroupArn,
  };
}

type World = ReturnType<typeof world>;

// Every version of every object in the data bucket, with its bytes, as the SDK reads them.
async function everyVersion(w: World): Promise<{ key: string; versionId: string; body: string }[]> {
  const listed = await w.s3.send(new ListObjectVersionsCommand({ Bucket: DATA }));
  const out = [];
  for (const v of listed.Versions ?? []) {
    const got = await w.s3.send(new GetObjectCommand({ Bucket: DATA, Key: v.Key, VersionId: v.VersionId }));
    out.push({
      key: v.Key as string,
      versionId: v.VersionId as string,
      body: (await got.Body?.transformToString()) ?? "",
    });
  }
  return out;
}

const current = async (w: World, key: string) =>
  (await (await w.s3.send(new GetObjectCommand({ Bucket: DATA, Key: key }))).Body?.transformToString()) ?? "";

// A row or line refers to an erased user: a CSV row starting with the id, or a JSON string equal to it.
const mentions = (line: string) => ERASED.some((id) => line.startsWith(`${id},`) || line.includes(`"${id}"`));

async function reimport(w: World, source: string, name: string) {
  const datasets = server.emulator.state.world.data().datasets;
  const dataset = datasets.find((d) => d.datasetGroupArn === w.dsg) as { datasetArn: string };
  await w.personalize.send(
    new CreateDatasetImportJobCommand({
      jobName: name,
      datasetArn: dataset.datasetArn,
      dataSource: { dataLocation: source },
      roleArn: ROLE_ARN,
      importMode: "FULL",
    }),
  );
  // The emulator's clock moves jobs when asked; an import takes no time here.
  for (let i = 0; i < 50; i++) {
    const job = server.emulator.state.world.data().imports.find((j) => j.jobName === name);
    if (job && !/PENDING|IN_PROGRESS/.test(job.status)) return job.status;
    await new Promise((r) => setTimeout(r, 20));
    server.emulator.state.users(w.dsg);
  }
  throw new Error(`import ${name} did not end`);
}

const erase = (w: World, extra: Record<string, unknown>) =>
  w.client.eraseUsers({
    users: ERASED,
    s3Uri: `s3://${server.emulator.bucket}/erasures/`,
    datasetGroupArn: w.dsg,
    roleArn: ROLE_ARN,
    jobName: "outside-erasure",
    wait: { minDelayMs: 1, maxDelayMs: 5 },
    retrain: true,
    ...extra,
  });

test("scrub: no erased user in any object or version, every other line kept; a re-import from the source keeps them gone", async () => {
  const w = world();
  await w.s3.send(
    new PutBucketVersioningCommand({ Bucket: DATA, VersioningConfiguration: { Status: "Enabled" } }),
  );
  const before = await everyVersion(w);
  const source = before.find((o) => o.key.endsWith("interactions.csv")) as { key: string; body: string };
  // An older version of the source that holds the users too: a scrub must not leave it behind.
  await w.s3.send(new PutObjectCommand({ Bucket: DATA, Key: source.key, Body: source.body }));
  expect(before.filter((o) => o.body.split("\n").some(mentions)).length).toBeGreaterThanOrEqual(4);

  const { receipt } = await erase(w, { scrub: true });
  expect(validateReceipt(JSON.parse(JSON.stringify(receipt)))).toBe(true);
  expect(receipt).toMatchObject({ complete: true, completeEverywhere: true });
  expect(receipt.outsidePersonalize.checked).toBe("scrubbed");
  const text = JSON.stringify(receipt);
  for (const id of ERASED) expect(text).not.toContain(id);
  const sourceReport = receipt.outsidePersonalize.locations.find((l) => l.kind === "dataset-import");
  expect(sourceReport?.state).toBe("scrubbed");
  expect(sourceReport?.objects.some((o) => o.noncurrent && o.state === "scrubbed")).toBe(true);

  for (const version of await everyVersion(w)) {
    expect(version.body.split("\n").filter(mentions)).toEqual([]);
  }
  // Every other line of the CSV and JSON lines files, byte for byte and in order (segments lose entries only).
  for (const object of before) {
    if (object.key.includes("segments/")) continue;
    const kept = object.body
      .split("\n")
      .filter((line) => !mentions(line))
      .join("\n");
    expect(await current(w, object.key)).toBe(kept);
  }

  const status = await reimport(w, `s3://${DATA}/${source.key}`, "reimport-scrubbed");
  expect(status).toBe("ACTIVE");
  const users = server.emulator.state.users(w.dsg) ?? [];
  for (const id of ERASED) expect(users).not.toContain(id);

  // Idempotent: the same erasure again finds nothing left to scrub.
  const again = await erase(w, { scrub: true });
  expect(again.receipt.outsidePersonalize.locations.every((l) => l.state === "clean")).toBe(true);
}, 60_000);

test("scan without scrub: the receipt counts them and is not complete everywhere; a FULL re-import brings them back", async () => {
  const w = world();
  const events: EraseUsersEvent[] = [];
  const { receipt } = await erase(w, { scan: true, onProgress: (e: EraseUsersEvent) => events.push(e) });
  expect(receipt).toMatchObject({ complete: true, completeEverywhere: false });
  // The preflight warned, before the deletion, that the last FULL import's source holds them.
  const sourceRows = receipt.preflight?.fullImportSource?.matching ?? 0;
  expect(sourceRows).toBeGreaterThan(0);
  const warned = events.find((e) => e.phase === "import-source");
  expect(warned).toMatchObject({ phase: "import-source", matching: sourceRows });
  expect(events.indexOf(warned as EraseUsersEvent)).toBeLessThan(
    events.findIndex((e) => e.phase === "create"),
  );
  expect(receipt.outsidePersonalize.checked).toBe("scanned");
  const holding = receipt.outsidePersonalize.locations.filter((l) => l.state === "holds-users");
  expect(holding.map((l) => l.kind).sort()).toEqual([
    "batch-inference-input",
    "batch-inference-output",
    "batch-segment-output",
    "dataset-export",
    "dataset-import",
  ]);
  expect(receipt.outsidePersonalize.pending.length).toBe(5);
  expect(JSON.stringify(receipt)).not.toMatch(/user-0(03|07|11)/);
  // Counted exactly: the import source's matching rows are the erased users' rows the SDK reads there.
  const source = holding.find(
    (l) => l.kind === "dataset-import",
  ) as ErasureReceipt["outsidePersonalize"]["locations"][0];
  const body = await current(w, source.objects[0]?.key as string);
  expect(source.objects[0]?.matching).toBe(body.split("\n").filter(mentions).length);
  expect(sourceRows).toBe(source.objects[0]?.matching as number);

  for (const id of ERASED) expect(server.emulator.state.users(w.dsg)).not.toContain(id);
  await reimport(w, source.location, "reimport-unscrubbed");
  const back = server.emulator.state.users(w.dsg) ?? [];
  for (const id of ERASED) expect(back).toContain(id);
}, 60_000);

test("a scheduler's ticks: continueErasure reads the ids from the folder the job read, scrubs, and later ticks keep what it found", async () => {
  const clock = fakeClock(Date.now());
  server = startVerifyingServer({
    jobSeconds: 60,
    trainingSeconds: 3600,
    campaignSeconds: 300,
    outsideData: true,
    now: clock.now,
  });
  const client = erasureClientFor(server, { clock });
  const bucket = server.emulator.bucket;
  const dsg = server.emulator.datasetGroupArn;
  // A window's folder of lists, as the Worker writes it: the job reads every CSV under it.
  const folder = `s3://${bucket}/windows/w1/`;
  await server.emulator.state.writeObject(
    bucket,
    "windows/w1/a.csv",
    new TextEncoder().encode("USER_ID\nuser-003\n"),
    "text/csv",
    clock.now(),
  );
  await server.emulator.state.writeObject(
    bucket,
    "windows/w1/b.csv",
    new TextEncoder().encode("USER_ID\nuser-007\nuser-011\n"),
    "text/csv",
    clock.now(),
  );
  await client.eraseUsers({
    dataLocation: folder,
    datasetGroupArn: dsg,
    roleArn: ROLE_ARN,
    jobName: "window-w1",
  });
  const choices = {
    datasetGroupArn: dsg,
    jobName: "window-w1",
    retrain: true,
    scrub: true,
    wait: { timeoutMs: 0 },
  };
  const receipts: ErasureReceipt[] = [];
  for (let i = 0; i < 40; i++) {
    const receipt = await client.continueErasure(choices).then(
      (out) => out.receipt,
      (error: { partial?: { receipt?: ErasureReceipt } }) => error.partial?.receipt,
    );
    if (receipt) receipts.push(receipt);
    if (receipt?.complete) break;
    await clock.sleep(120_000);
  }
  const last = receipts.at(-1) as ErasureReceipt;
  expect(last).toMatchObject({ complete: true, completeEverywhere: true });
  expect(last.outsidePersonalize.checked).toBe("scrubbed");
  // The lists were deleted by the tick that scrubbed; the ticks after it read what it recorded.
  const listsLeft = [...(server.emulator.state.buckets.get(bucket)?.keys() ?? [])].filter((k) =>
    k.startsWith("windows/w1/"),
  );
  expect(listsLeft).toEqual([]);
  const scrubbedAt = receipts.findIndex((r) => r.outsidePersonalize.checked === "scrubbed");
  expect(scrubbedAt).toBeGreaterThanOrEqual(0);
  expect(receipts.length - scrubbedAt).toBeGreaterThan(1);
  for (const r of receipts.slice(scrubbedAt))
    expect(r.outsidePersonalize.checkedAt).toBe(last.outsidePersonalize.checkedAt);
  // status, a reader with no ids at all, says the same.
  const status = await client.erasureStatus({ datasetGroupArn: dsg, jobName: "window-w1", retrain: true });
  expect(status.completeEverywhere).toBe(true);
  const record = [...(server.emulator.state.buckets.get(bucket)?.keys() ?? [])].find((k) =>
    k.endsWith(".outside.json"),
  );
  expect(record).toBe("windows/window-w1.outside.json");
  for (const id of ERASED) expect(JSON.stringify(status)).not.toContain(id);
}, 60_000);

test("bad outside choices are refused before anything is sent, naming the field", async () => {
  const w = world();
  const sent = server.requests.length;
  await expect(erase(w, { scan: true, locations: ["exports/a.csv"] })).rejects.toThrow(
    "locations.0: must be an s3:// object or folder",
  );
  await expect(
    erase(w, { scrub: true, suppression: "s3://privacy-bucket/suppression/", suppressionKey: "too-short" }),
  ).rejects.toThrow(/suppressionKey .*at least 32 bytes.*received 9 bytes/);
  expect(server.requests.length).toBe(sent);
});
