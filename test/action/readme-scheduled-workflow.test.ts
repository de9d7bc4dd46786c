// The README's scheduled workflow, run as the runner runs it: its `name` step in sh writing GITHUB_OUTPUT,
// then the action step (from source) with its inputs, the names aimed at the emulator. A run, a file of
// requests added mid-month, a run again: the users of the new file must be erased too, models included,
// never left behind under a job adopted for the earlier list.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
type Step = { id?: string; uses?: string; run?: string; with?: Record<string, unknown> };
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const scheduled = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map(
    (m) => parse(m[1] as string) as { on: Record<string, unknown>; jobs: Record<string, { steps: Step[] }> },
  )
  .find((w) => w.on.schedule);
const steps = Object.values(scheduled?.jobs ?? {})[0]?.steps ?? [];
const nameStep = steps.find((s) => s.id === "name");
const eraseStep = steps.find((s) => s.id === "erase");
// The expression GitHub replaces with the name step's output (built so it reads as YAML, not as a template).
const NAME_EXPRESSION = ["$", "{{ steps.name.outputs.job-name }}"].join("");

let emu: RunningEmulator;
let workspace: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, jobSeconds: 0, trainingSeconds: 0, campaignSeconds: 0 });
  workspace = mkdtempSync(join(tmpdir(), "pdd-scheduled-"));
});
afterAll(async () => {
  await emu.close();
  rmSync(workspace, { recursive: true, force: true });
});

function outputsOf(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/^(.+?)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2$/gm))
    out[m[1] as string] = m[3] as string;
  for (const m of text.matchAll(/^([\w-]+)=(.*)$/gm)) out[m[1] as string] = m[2] as string;
  return out;
}

async function scheduledRun(n: number): Promise<Record<string, string>> {
  const nameOutput = join(workspace, `name-output-${n}`);
  writeFileSync(nameOutput, "");
  const named = await runProcess(["bash", "-e", "-c", nameStep?.run as string], {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? "", GITHUB_OUTPUT: nameOutput },
  });
  expect(named.code).toBe(0);
  const jobName = outputsOf(nameOutput)["job-name"] as string;
  expect(jobName).toMatch(/^erasure-2026-12-[0-9a-f]{16}$/);

  const output = join(workspace, `output-${n}`);
  writeFileSync(output, "");
  writeFileSync(join(workspace, "summary"), "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: join(workspace, "summary"),
    RUNNER_TEMP: workspace,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: "my-org/shop",
    GITHUB_RUN_ID: String(1000 + n),
    GITHUB_RUN_ATTEMPT: "1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    // Not in the README's step: the emulator's instant jobs need no minute between polls.
    "INPUT_POLL-INTERVAL-SECONDS": "1",
    "INPUT_ENDPOINT-URL": emu.endpoint,
  };
  for (const [name, value] of Object.entries(eraseStep?.with ?? {})) {
    let v = String(value).replace(NAME_EXPRESSION, jobName);
    if (name === "s3-uri") v = v.replace("my-deletions-bucket", emu.emulator.bucket);
    if (name === "dataset-group-arn") v = emu.emulator.datasetGroupArn;
    if (name === "role-arn") v = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
    env[`INPUT_${name.toUpperCase()}`] = v;
  }
  const run = await runProcess([process.execPath, join(ROOT, "action/index.ts")], { cwd: workspace, env });
  expect({ code: run.code, log: run.code === 0 ? "" : run.stdout + run.stderr }).toEqual({
    code: 0,
    log: "",
  });
  return { ...outputsOf(output), jobName };
}

const servedUsers = () => {
  const { versions, campaigns } = emu.emulator.state.world.data();
  return versions.find((v) => v.solutionVersionArn === campaigns[0]?.solutionVersionArn)?.users ?? [];
};

test("the README's scheduled workflow erases the users of a file added mid-month", async () => {
  expect(nameStep?.run).toBeDefined();
  expect(eraseStep?.with?.["job-name"]).toBe(NAME_EXPRESSION);
  const folder = join(workspace, "privacy/requests/2026-12");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "01.csv"), "USER_ID\nuser-001\nuser-002\n");

  const first = await scheduledRun(1);
  expect(first.complete).toBe("true");
  // The same files: the same name, and a run that only carries on (adopts, makes no job).
  const jobsBefore = emu.emulator.state.jobs.size;
  const again = await scheduledRun(2);
  expect(again.jobName).toBe(first.jobName);
  expect(emu.emulator.state.jobs.size).toBe(jobsBefore);

  writeFileSync(join(folder, "15.csv"), "USER_ID\nuser-003\n");
  const grown = await scheduledRun(3);
  expect(grown.jobName).not.toBe(first.jobName);
  expect(grown.complete).toBe("true");
  expect(grown["user-count"]).toBe("3");

  const left = emu.emulator.state.users(emu.emulator.datasetGroupArn) ?? [];
  for (const id of ["user-001", "user-002", "user-003"]) {
    expect(left).not.toContain(id);
    expect(servedUsers()).not.toContain(id);
  }
}, 120_000);
