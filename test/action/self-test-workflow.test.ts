// .github/workflows/self-test.yml, run as its job runs: the same emulator flags, the users file its `printf`
// step writes, the action step's inputs as INPUT_* variables (the action from source, as `uses: ./` runs it
// once built), then every `test "${{ steps.erase.outputs.NAME }}" = VALUE` line of its check step held
// against the outputs the action wrote. An expectation the emulator cannot meet fails here, not in CI.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { runProcess } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
type Step = {
  uses?: string;
  id?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
const workflow = parse(readFileSync(join(ROOT, ".github/workflows/self-test.yml"), "utf8")) as {
  jobs: Record<string, { steps: Step[] }>;
};
const steps = workflow.jobs.action?.steps ?? [];
const step = (match: (s: Step) => boolean, what: string): Step => {
  const found = steps.find(match);
  if (!found) throw new Error(`self-test.yml's action job has no ${what}`);
  return found;
};

let emu: RunningEmulator;
let workspace: string;
beforeAll(async () => {
  const start = step((s) => /personalize-data-deletion emulator/.test(s.run ?? ""), "emulator step");
  const jobSeconds = Number(/--job-seconds (\d+)/.exec(start.run ?? "")?.[1]);
  expect(jobSeconds).toBeGreaterThan(0);
  emu = await startEmulator({ port: 0, jobSeconds });
  workspace = mkdtempSync(join(tmpdir(), "pdd-self-test-"));
});
afterAll(async () => {
  await emu.close();
  rmSync(workspace, { recursive: true, force: true });
});

test("every output the self-test checks is what the action gives against the emulator", async () => {
  const printf = step((s) => (s.run ?? "").startsWith("printf"), "printf step");
  const made = await runProcess(["sh", "-c", printf.run as string], { cwd: workspace });
  expect(made.code).toBe(0);

  const action = step((s) => s.uses === "./", "`uses: ./` step");
  const outputFile = join(workspace, "github-output");
  writeFileSync(outputFile, "");
  writeFileSync(join(workspace, "summary"), "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: join(workspace, "summary"),
    RUNNER_TEMP: workspace,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: "personalize-data-deletion/personalize-data-deletion",
    GITHUB_RUN_ID: "1",
    GITHUB_RUN_ATTEMPT: "1",
    ...action.env,
  };
  for (const [name, value] of Object.entries(action.with ?? {}))
    env[`INPUT_${name.toUpperCase()}`] = name === "endpoint-url" ? emu.endpoint : String(value);
  const run = await runProcess([process.execPath, join(ROOT, "action/index.ts")], { cwd: workspace, env });
  expect({ code: run.code, log: run.code === 0 ? "" : run.stdout + run.stderr }).toEqual({
    code: 0,
    log: "",
  });

  const outputs: Record<string, string> = {};
  const text = readFileSync(outputFile, "utf8");
  for (const m of text.matchAll(/^(.+?)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2$/gm))
    outputs[m[1] as string] = m[3] as string;

  const check = step((s) => /steps\.erase\.outputs/.test(s.run ?? ""), "check step");
  const expected = [
    ...(check.run as string).matchAll(/test "\$\{\{ steps\.erase\.outputs\.([\w-]+) \}\}" = (\S+)/g),
  ];
  expect(expected.map((m) => m[1])).toContain("num-deleted");
  const wanted = Object.fromEntries(expected.map((m) => [m[1] as string, m[2] as string]));
  const got = Object.fromEntries(Object.keys(wanted).map((name) => [name, outputs[name]]));
  expect(got).toEqual(wanted);
}, 60_000);
