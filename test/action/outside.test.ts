// The action past Personalize's edge, as the runner runs it (dist/index.js, INPUT_* variables) against the
// emulator with the sample's data around Personalize: scrub and suppression in the erasure, then guard mode
// on the import source, judged by reading the bucket with the AWS SDK. The suppression key is a secret: it
// reaches the log only in the ::add-mask:: command.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const KEYS = { accessKeyId: "AKIDOUTSIDE", secretAccessKey: "OUTSIDE-SECRET-0123456789abcdef" };
const SUPPRESSION_KEY = "suppression-key-of-the-test-0123456789abcdef";
const DATA = "emulator-data";
let emu: RunningEmulator;
let workspace: string;
let s3: S3Client;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    jobSeconds: 0,
    trainingSeconds: 0,
    campaignSeconds: 0,
    outsideData: true,
    ...KEYS,
  });
  s3 = new S3Client({
    region: "us-east-1",
    endpoint: emu.endpoint,
    forcePathStyle: true,
    credentials: KEYS,
  });
});
afterAll(() => emu.close());
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "pdd-action-outside-"));
});

async function runAction(inputs: Record<string, string>, extra: Record<string, string> = {}) {
  const outputFile = join(workspace, `output-${Math.random()}`);
  writeFileSync(outputFile, "");
  writeFileSync(join(workspace, "summary"), "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: join(workspace, "summary"),
    RUNNER_TEMP: workspace,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: "octo-org/shop",
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "1",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    "INPUT_ENDPOINT-URL": emu.endpoint,
    ...extra,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const { stdout, stderr, code } = await runProcess(["node", join(ROOT, "dist/index.js")], {
    cwd: workspace,
    env,
  });
  const outputs: Record<string, string> = {};
  const re = /^(.+?)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2$/gm;
  for (const m of readFileSync(outputFile, "utf8").matchAll(re)) outputs[m[1] as string] = m[3] as string;
  return { code, log: stdout + stderr, outputs, summary: readFileSync(join(workspace, "summary"), "utf8") };
}

const text = async (key: string) =>
  (await (await s3.send(new GetObjectCommand({ Bucket: DATA, Key: key }))).Body?.transformToString()) ?? "";

async function everyObject(): Promise<Map<string, string>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: DATA }));
  const out = new Map<string, string>();
  for (const { Key } of listed.Contents ?? []) out.set(Key as string, await text(Key as string));
  return out;
}

const erase = (ids: string[]) => ({
  "user-ids": ids.join(","),
  "dataset-group-arn": emu.emulator.datasetGroupArn,
  "role-arn": ROLE,
  "s3-uri": `s3://${emu.emulator.bucket}/erasures/`,
  wait: "true",
});

test("scrub and suppression: the data around Personalize loses exactly the erased users; guard mode then passes the source", async () => {
  const erased = ["user-003", "user-007"];
  const before = await everyObject();
  const holding = [...before].filter(([, body]) => erased.some((id) => body.includes(`${id}`)));
  // The sample holds them in the import source, the export, and the batch files.
  expect(holding.length).toBeGreaterThanOrEqual(3);

  const keyless = await runAction({
    ...erase(erased),
    scrub: "true",
    suppression: `s3://${DATA}/suppression/`,
  });
  expect(keyless.code).not.toBe(0);
  expect(keyless.log).toContain("input suppression: needs the ERASURE_SUPPRESSION_KEY environment variable");

  const run = await runAction(
    { ...erase(erased), retrain: "true", scrub: "true", suppression: `s3://${DATA}/suppression/` },
    { ERASURE_SUPPRESSION_KEY: SUPPRESSION_KEY },
  );
  expect(run.code).toBe(0);
  expect(run.outputs["complete-everywhere"]).toBe("true");
  const receipt = JSON.parse(run.outputs.receipt as string);
  expect(receipt.outsidePersonalize.checked).toBe("scrubbed");
  expect(receipt.outsidePersonalize.suppression.hashes).toBe(2);
  expect(run.summary).toContain("complete everywhere");
  for (const id of erased) {
    expect(run.outputs.receipt).not.toContain(id);
    expect(run.summary).not.toContain(id);
  }
  // The key is masked, never printed.
  expect(run.log.split(SUPPRESSION_KEY).length - 1).toBe(
    run.log.split(`::add-mask::${SUPPRESSION_KEY}`).length - 1,
  );

  const after = await everyObject();
  for (const [key, body] of before) {
    if (key.startsWith("suppression/")) continue;
    const now = after.get(key) as string;
    // Every line without an erased user is kept, in order; no erased user is left.
    const kept = body
      .split("\n")
      .filter((line) => !erased.some((id) => line.includes(`"${id}"`) || line.startsWith(`${id},`)));
    if (!key.includes("segments/")) expect(now).toBe(kept.join("\n"));
    for (const id of erased) expect(now).not.toContain(`${id},`);
    for (const id of erased) expect(now).not.toContain(`"${id}"`);
  }

  // Guard mode on the import source: clean now, so the step passes.
  const source = [...after.keys()].find((k) => k.endsWith("interactions.csv")) as string;
  const guard = await runAction(
    { "guard-import-source": `s3://${DATA}/${source}`, suppression: `s3://${DATA}/suppression/` },
    { ERASURE_SUPPRESSION_KEY: SUPPRESSION_KEY },
  );
  expect(guard.code).toBe(0);
  expect(guard.outputs["guard-ok"]).toBe("true");

  // An export from an unchanged warehouse brings them back into the source: the guard fails the step.
  const [header, row] = (after.get(source) as string).split("\n") as [string, string];
  const rest = row.slice(row.indexOf(","));
  expect(header.startsWith("USER_ID,")).toBe(true);
  await s3.send(
    new PutObjectCommand({
      Bucket: DATA,
      Key: source,
      Body: `${header}\nuser-003${rest}\nuser-010${rest}\n`,
    }),
  );
  const stopped = await runAction(
    { "guard-import-source": `s3://${DATA}/${source}`, suppression: `s3://${DATA}/suppression/` },
    { ERASURE_SUPPRESSION_KEY: SUPPRESSION_KEY },
  );
  expect(stopped.code).not.toBe(0);
  expect(stopped.outputs["guard-ok"]).toBe("false");
  expect(stopped.outputs["suppressed-rows"]).toBe("1");
  expect(stopped.log).toContain("would bring erased users back");
  expect(stopped.log).not.toContain("user-003");
}, 60_000);

test("scan without wait is refused naming the input, before anything is sent", async () => {
  const jobs = emu.emulator.state.jobs.size;
  const run = await runAction({ ...erase(["user-005"]), wait: "false", scan: "true" });
  expect(run.code).not.toBe(0);
  expect(run.log).toContain("input scan: needs wait: true");
  expect(emu.emulator.state.jobs.size).toBe(jobs);
});
