// The CLI erases exactly what it is given and tells the truth about what is left: a job name used for
// another list is refused; the commands it prints to carry on run as printed; a list too large to hold is
// refused before it is read. The bundled CLI under Node against the emulator, as users run it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { buildNodeCli } from "../support/node-cli.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TMP = mkdtempSync(join(tmpdir(), "pdd-exact-cli-"));
const NODE_CLI = join(ROOT, ".tmp", `cli-exact-test-${process.pid}`, "cli.js");
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const KEYS = { accessKeyId: "AKIDEXACTCLI", secretAccessKey: "EXACT-CLI-SECRET-0123456789" };
let emu: RunningEmulator;
let slow: RunningEmulator;

beforeAll(async () => {
  await buildNodeCli(NODE_CLI);
  emu = await startEmulator({ port: 0, jobSeconds: 0, trainingSeconds: 0, campaignSeconds: 0, ...KEYS });
  slow = await startEmulator({ port: 0, jobSeconds: 3600, ...KEYS });
});
afterAll(async () => {
  await Promise.all([emu.close(), slow.close()]);
  rmSync(join(ROOT, ".tmp", `cli-exact-test-${process.pid}`), { recursive: true, force: true });
  rmSync(TMP, { recursive: true, force: true });
});

function cli(on: RunningEmulator, args: string[]) {
  return runProcess(["node", NODE_CLI, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      AWS_ENDPOINT_URL: on.endpoint,
    },
  });
}
const erase = (on: RunningEmulator, ids: string, ...more: string[]) => [
  "delete-users",
  "--user-ids",
  ids,
  "--s3-uri",
  `s3://${on.emulator.bucket}/exact/`,
  "--dataset-group-arn",
  on.emulator.datasetGroupArn,
  "--role-arn",
  ROLE,
  "--poll-interval-seconds",
  "1",
  ...more,
];
const users = (on: RunningEmulator) => on.emulator.state.users(on.emulator.datasetGroupArn) ?? [];
// A printed command, run as printed (its words split on spaces; none holds one).
const runPrinted = (on: RunningEmulator, line: string) =>
  cli(
    on,
    line
      .trim()
      .replace(/^personalize-data-deletion /, "")
      .split(" "),
  );

test("a reused --job-name with another list exits 2 naming --job-name; the new users are still there", async () => {
  const first = await cli(emu, erase(emu, "user-001", "--job-name", "erasure-2026-12", "--wait"));
  expect(first.code).toBe(0);
  const second = await cli(
    emu,
    erase(emu, "user-002", "--job-name", "erasure-2026-12", "--wait", "--retrain"),
  );
  expect(second.code).toBe(2);
  expect(second.stderr).toMatch(/erasure-2026-12 already exists and was made from a different list of ids/);
  expect(second.stderr).toContain("Choose a new --job-name");
  expect(second.stderr).not.toContain("user-002");
  expect(users(emu)).toContain("user-002");
});

test("what is left after a run without --retrain is said with commands that run as printed", async () => {
  const run = await cli(emu, erase(emu, "user-003", "--job-name", "hints-1", "--wait"));
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("erasure hints-1: not complete (models-hold-users)");
  expect(run.stdout).toContain("run the delete-users command again with --wait --retrain");
  const status = run.stdout.split("\n").find((l) => l.trim().startsWith("personalize-data-deletion status"));
  expect(status).toBeDefined();
  const looked = await runPrinted(emu, status as string);
  expect(looked.code).toBe(0);
  expect(looked.stdout).toContain("erasure hints-1: not complete (models-hold-users)");
  // Carrying on as told: the same command with --retrain completes it.
  const done = await cli(emu, erase(emu, "user-003", "--job-name", "hints-1", "--wait", "--retrain"));
  expect(done.code).toBe(0);
  expect(done.stdout).toContain("erasure hints-1: complete");
});

test("after a wait times out, the printed status command runs as printed, --retrain included", async () => {
  const run = await cli(
    slow,
    erase(slow, "user-004", "--job-name", "hints-2", "--wait", "--retrain", "--timeout-minutes", "0.01"),
  );
  expect(run.code).not.toBe(0);
  const line = run.stderr.split("\n").find((l) => l.trim().startsWith("personalize-data-deletion status"));
  expect(line).toBeDefined();
  expect(line).toContain("--retrain");
  const looked = await runPrinted(slow, line as string);
  expect(looked.code).toBe(0);
  expect(looked.stdout).toMatch(/erasure hints-2: not complete \((deleting)\)/);
});

test("a 2 GB list is refused before it is read, with a size error, and nothing is sent", async () => {
  const big = join(TMP, "big.csv");
  // A sparse file: 2 GB long, no disk used. The size alone refuses it.
  const fd = openSync(big, "w");
  ftruncateSync(fd, 2_000_000_000);
  closeSync(fd);
  const before = emu.emulator.state.jobs.size;
  const started = Date.now();
  const run = await cli(emu, [
    ...erase(emu, "x").filter((a, i, all) => a !== "--user-ids" && all[i - 1] !== "--user-ids"),
    "--users-file",
    big,
  ]);
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(/the list is larger than 1000000000 bytes \(received 2000000000 bytes\)/);
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(emu.emulator.state.jobs.size).toBe(before);
  writeFileSync(big, "");
});
