// The complete erasure through the CLI, as users run it: the bundled CLI under Node against the emulator,
// checked with the official AWS SDK v3 clients and the emulator's own view of its models.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSolutionVersionCommand,
  ListDataDeletionJobsCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import { ListObjectVersionsCommand, S3Client } from "@aws-sdk/client-s3";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { buildNodeCli } from "../support/node-cli.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TMP = mkdtempSync(join(tmpdir(), "pdd-erasure-cli-"));
const NODE_CLI = join(ROOT, ".tmp", `cli-erasure-test-${process.pid}`, "cli.js");
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const KEYS = { accessKeyId: "AKIDERASE", secretAccessKey: "ERASE-SECRET-0123456789" };
let quick: RunningEmulator;
let busy: RunningEmulator;

beforeAll(async () => {
  await buildNodeCli(NODE_CLI);
  quick = await startEmulator({ port: 0, jobSeconds: 0, trainingSeconds: 0, campaignSeconds: 0, ...KEYS });
  busy = await startEmulator({ port: 0, jobSeconds: 0, trainingSeconds: 3600, ...KEYS });
});
afterAll(async () => {
  await Promise.all([quick.close(), busy.close()]);
  rmSync(join(ROOT, ".tmp", `cli-erasure-test-${process.pid}`), { recursive: true, force: true });
  rmSync(TMP, { recursive: true, force: true });
});

async function cli(emu: RunningEmulator, args: string[]) {
  const out = await runProcess(["node", NODE_CLI, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      AWS_ENDPOINT_URL: emu.endpoint,
    },
  });
  expect(out.stdout + out.stderr).not.toContain(KEYS.secretAccessKey);
  return out;
}
const sdk = (emu: RunningEmulator) => {
  const config = { region: "us-east-1", endpoint: emu.endpoint, credentials: KEYS, maxAttempts: 1 };
  return {
    personalize: new PersonalizeClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
};
const erase = (emu: RunningEmulator, jobName: string, ...more: string[]) => [
  "delete-users",
  "--user-ids",
  "user-010,user-011",
  "--s3-uri",
  `s3://${emu.emulator.bucket}/cli-erasure/`,
  "--dataset-group-arn",
  emu.emulator.datasetGroupArn,
  "--role-arn",
  ROLE,
  "--job-name",
  jobName,
  "--poll-interval-seconds",
  "1",
  ...more,
];

describe("CLI erasure", () => {
  test("a first run without --wait, then the same command with --wait --retrain --receipt: one job, a complete receipt", async () => {
    const first = await cli(quick, erase(quick, "cli-resume"));
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("erasure cli-resume: not complete (cleaning-up)");
    expect(first.stdout).toContain("run the delete-users command again with --wait to carry on");

    const status = await cli(quick, [
      "status",
      "--dataset-group-arn",
      quick.emulator.datasetGroupArn,
      "--job-name",
      "cli-resume",
      "--json",
    ]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ stage: "cleaning-up", complete: false });

    const receiptFile = join(TMP, "receipt.json");
    const second = await cli(
      quick,
      erase(quick, "cli-resume", "--wait", "--retrain", "--receipt", receiptFile),
    );
    expect(second.stderr).toContain("Adopted the existing job");
    expect(second.stderr).toContain(`wrote the erasure receipt to ${receiptFile}`);
    expect(second.stdout).toContain("erasure cli-resume: complete");
    expect(second.stdout).toContain("Outside Personalize: no S3 location found in AWS's records or given");
    expect(second.code).toBe(0);
    const receipt = JSON.parse(readFileSync(receiptFile, "utf8"));
    expect(receipt).toMatchObject({ jobName: "cli-resume", complete: true, pending: [] });
    expect(JSON.stringify(receipt)).not.toContain("user-010");

    const { personalize, s3 } = sdk(quick);
    const jobs = await personalize.send(
      new ListDataDeletionJobsCommand({ datasetGroupArn: quick.emulator.datasetGroupArn }),
    );
    expect(jobs.dataDeletionJobs?.filter((j) => j.jobName === "cli-resume")).toHaveLength(1);
    const left = await s3.send(
      new ListObjectVersionsCommand({ Bucket: quick.emulator.bucket, Prefix: "cli-erasure/" }),
    );
    expect(left.Versions ?? []).toEqual([]);
    const models = (await (
      await fetch(
        `${quick.endpoint}/_emulator/models?datasetGroupArn=${encodeURIComponent(quick.emulator.datasetGroupArn)}`,
      )
    ).json()) as {
      solutionVersions: { solutionVersionArn: string; users: string[] }[];
      campaigns: { solutionVersionArn: string }[];
    };
    const served = models.solutionVersions.find(
      (v) => v.solutionVersionArn === models.campaigns[0]?.solutionVersionArn,
    );
    expect(served?.users).not.toContain("user-010");
  });

  test("--if-busy fail during a training: exit 5 naming it, nothing uploaded, no job made", async () => {
    const { personalize, s3 } = sdk(busy);
    const solutionArn = busy.emulator.datasetGroupArn.replace(/dataset-group\/(.*)$/, "solution/$1-solution");
    const { solutionVersionArn } = await personalize.send(
      new CreateSolutionVersionCommand({ solutionArn, name: "nightly" }),
    );
    const { code, stderr } = await cli(busy, erase(busy, "cli-busy", "--wait", "--if-busy", "fail"));
    expect(code).toBe(5);
    expect(stderr).toContain(`solution-version ${solutionVersionArn} (CREATE PENDING)`);
    expect(stderr).toContain("nothing was uploaded, no job made");
    expect(stderr).toContain("run it again once they are done, or use --if-busy wait");
    const jobs = await personalize.send(
      new ListDataDeletionJobsCommand({ datasetGroupArn: busy.emulator.datasetGroupArn }),
    );
    expect(jobs.dataDeletionJobs).toEqual([]);
    const objects = await s3.send(new ListObjectVersionsCommand({ Bucket: busy.emulator.bucket }));
    expect(objects.Versions ?? []).toEqual([]);
  });

  test("demo: the models hold the users after the deletion alone, and not after the retrain", async () => {
    const { code, stdout, stderr } = await cli(quick, ["demo", "--job-seconds", "1", "--json"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.heldByModelWithoutRetrain).toEqual(["user-003", "user-007", "user-011", "user-019"]);
    expect(out.heldByModelAfterRetrain).toEqual([]);
    expect(out.deletedUsersStillPresent).toEqual([]);
    expect(out.receipt).toMatchObject({ complete: true, stage: "complete", completeEverywhere: true });
    // The sample's data around Personalize: listed by the first run, scrubbed by the second.
    expect(stderr).toContain("without --scrub: Outside Personalize: 5 locations, 5 not-scanned");
    const outside = out.receipt.outsidePersonalize;
    expect(outside.checked).toBe("scrubbed");
    expect(outside.locations.map((l: { kind: string; state: string }) => [l.kind, l.state]).sort()).toEqual([
      ["batch-inference-input", "scrubbed"],
      ["batch-inference-output", "scrubbed"],
      ["batch-segment-output", "scrubbed"],
      ["dataset-export", "scrubbed"],
      ["dataset-import", "scrubbed"],
    ]);
    expect(JSON.stringify(out.receipt)).not.toMatch(/user-0(03|07|11|19)/);
    expect(stderr).toContain("without --retrain: models-hold-users");
    expect(stderr).toContain("adopted (a re-run)");
  });

  test("bad erasure flags name the flag", async () => {
    const wrong = await cli(quick, erase(quick, "cli-bad", "--wait", "--if-busy", "later"));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--if-busy: must be one of wait, fail, ignore, received "later"');
    const mode = await cli(
      quick,
      erase(quick, "cli-bad", "--wait", "--retrain", "--training-mode", "AUTOTRAIN"),
    );
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('--training-mode: must be one of FULL, UPDATE, received "AUTOTRAIN"');
    const alone = await cli(quick, erase(quick, "cli-bad", "--retrain"));
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--retrain needs --wait");
    const scan = await cli(quick, erase(quick, "cli-bad", "--scrub"));
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain("--scan, --scrub and --suppression need --wait");
    const local = await cli(
      quick,
      erase(quick, "cli-bad", "--wait", "--scan", "--location", "exports/a.csv"),
    );
    expect(local.code).toBe(2);
    expect(local.stderr).toContain("--location: must be an s3:// object or folder");
    const keyless = await cli(
      quick,
      erase(quick, "cli-bad", "--wait", "--suppression", "s3://b/suppression/"),
    );
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain("--suppression needs ERASURE_SUPPRESSION_KEY");
  });
});
