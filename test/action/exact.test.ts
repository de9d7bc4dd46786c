// The action erases exactly the list it is given, as the runner runs it (dist/index.js, INPUT_* variables):
// a job name used for another list fails the step instead of being adopted; the default name follows the
// list, so the README's scheduled pattern (a glob that gains a file mid-month) erases the new users too;
// retrain without wait and padded ids are refused before anything is sent.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { buildNodeCli } from "../support/node-cli.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const KEYS = { accessKeyId: "AKIDEXACT", secretAccessKey: "EXACT-SECRET-0123456789abcdef" };
let emu: RunningEmulator;
let workspace: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, jobSeconds: 0, trainingSeconds: 0, campaignSeconds: 0, ...KEYS });
});
afterAll(() => emu.close());
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "pdd-action-exact-"));
});

async function runAction(inputs: Record<string, string>) {
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
    GITHUB_RUN_ID: String(Math.floor(Math.random() * 1e6)),
    GITHUB_RUN_ATTEMPT: "1",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    "INPUT_ENDPOINT-URL": emu.endpoint,
    "INPUT_DATASET-GROUP-ARN": emu.emulator.datasetGroupArn,
    "INPUT_ROLE-ARN": ROLE,
    "INPUT_S3-URI": `s3://${emu.emulator.bucket}/erasures/`,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const { stdout, stderr, code } = await runProcess(["node", join(ROOT, "dist/index.js")], {
    cwd: workspace,
    env,
  });
  const outputs: Record<string, string> = {};
  const re = /^(.+?)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2$/gm;
  for (const m of readFileSync(outputFile, "utf8").matchAll(re)) outputs[m[1] as string] = m[3] as string;
  return { code, log: stdout + stderr, outputs };
}

const users = () => emu.emulator.state.users(emu.emulator.datasetGroupArn) ?? [];
const jobCount = () => emu.emulator.state.jobs.size;

test("a job-name used for another list fails the step, naming the input; the new users stay until erased", async () => {
  const first = await runAction({ "user-ids": "user-001", "job-name": "erasure-2026-12", wait: "true" });
  expect(first.code).toBe(0);
  expect(users()).not.toContain("user-001");
  const before = jobCount();
  const second = await runAction({ "user-ids": "user-002", "job-name": "erasure-2026-12", wait: "true" });
  expect(second.code).not.toBe(0);
  expect(second.log).toMatch(/::error.*erasure-2026-12 already exists and was made from a different list/);
  expect(second.log).toContain("input job-name");
  expect(second.outputs.complete).not.toBe("true");
  expect(jobCount()).toBe(before);
  expect(users()).toContain("user-002");
});

test("the README's scheduled pattern: a file added mid-month is erased by the next run, then retrained", async () => {
  mkdirSync(join(workspace, "erasure-requests"));
  writeFileSync(join(workspace, "erasure-requests", "a.csv"), "USER_ID\nuser-003\n");
  const inputs = { "user-ids-file": "erasure-requests/*.csv", wait: "true" };
  const first = await runAction(inputs);
  expect(first.code).toBe(0);
  expect(users()).not.toContain("user-003");
  // The same files again: the same job, adopted.
  const again = await runAction(inputs);
  expect(again.code).toBe(0);
  expect(again.outputs["job-name"]).toBe(first.outputs["job-name"] as string);
  expect(again.log).toContain("Adopted the existing job");
  // A request arrives mid-month: the grown list is a new job, and its user is erased.
  writeFileSync(join(workspace, "erasure-requests", "b.csv"), "USER_ID\nuser-004\n");
  const grown = await runAction(inputs);
  expect(grown.code).toBe(0);
  expect(grown.outputs["job-name"]).not.toBe(first.outputs["job-name"] as string);
  expect(grown.outputs["job-name"]).toMatch(/^octo-org-shop-[0-9a-f]{16}$/);
  expect(users()).not.toContain("user-004");
  // Then the retrain on the same list carries that erasure to complete.
  const retrained = await runAction({ ...inputs, retrain: "true" });
  expect(retrained.code).toBe(0);
  expect(retrained.outputs["job-name"]).toBe(grown.outputs["job-name"] as string);
  expect(retrained.outputs.complete).toBe("true");
  const receipt = JSON.parse(retrained.outputs.receipt as string);
  expect(receipt.users).toEqual({ unique: 2, duplicatesRemoved: 0, trimmed: 0, from: "this-run" });
});

test("retrain without wait, and a padded id, fail before anything is sent", async () => {
  const before = emu.emulator.state.jobs.size;
  const retrain = await runAction({ "user-ids": "user-005", retrain: "true" });
  expect(retrain.code).not.toBe(0);
  expect(retrain.log).toMatch(/::error.*input retrain: needs wait: true/);
  const padded = await runAction({ "user-ids": "user-005\n user-006" });
  expect(padded.code).not.toBe(0);
  expect(padded.log).toMatch(/leading whitespace: Personalize stores ids exactly/);
  expect(padded.log).not.toContain("user-006");
  expect(emu.emulator.state.jobs.size).toBe(before);
  expect(users()).toContain("user-005");
  // Opted in, the trimmed id is erased and counted.
  const trimmed = await runAction({ "user-ids": "user-005\n user-006", "trim-ids": "true", wait: "true" });
  expect(trimmed.code).toBe(0);
  expect(users()).not.toContain("user-006");
  expect(JSON.parse(trimmed.outputs.receipt as string).users.trimmed).toBe(1);
});

test("what is left is said with what to do, and the status command it prints runs as printed", async () => {
  const cli = join(ROOT, ".tmp", `cli-action-exact-${process.pid}`, "cli.js");
  await buildNodeCli(cli);
  const run = await runAction({ "user-ids": "user-007", wait: "true" });
  expect(run.code).toBe(0);
  const notice = run.log.split("\n").find((l) => l.startsWith("::notice title=Erasure not complete::")) ?? "";
  // The models are what is left: the step says to run again with the retrain.
  expect(notice).toContain("and retrain: true (with wait: true) to train the models without the users");
  const command = /npx personalize-data-deletion (status [^%]*?)(?:%0A|$)/.exec(notice)?.[1];
  expect(command).toBeDefined();
  const status = await runProcess(["node", cli, ...(command as string).trim().split(" ")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    },
  });
  expect(status.stderr).toBe("");
  expect(status.code).toBe(0);
  expect(status.stdout).toContain("not complete (models-hold-users)");
  rmSync(join(ROOT, ".tmp", `cli-action-exact-${process.pid}`), { recursive: true, force: true });
});
