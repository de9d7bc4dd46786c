// The action's log while it waits: a line when what it waits for changes, and a "still …" line at least every
// 30 s, from the library's heartbeat. On a fake clock through the real waiter, then the action's source run as
// the runner runs it against the emulator with a 40-second job, each line of its log timed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { actionLog } from "../../action/progress.ts";
import { pollJob } from "../../src/deletion/waiter.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { awaitVersion } from "../../src/erasure/stages/retrain.ts";
import { fakeClock } from "../support/fake-clock.ts";
import { longestSilence, runTimed } from "../support/timed-lines.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ARN = "arn:aws:personalize:us-east-1:000000000000:data-deletion-job/erase-1";

// What the action writes to stdout (core.info) while `body` runs, each line with the fake clock's time.
async function logged(clock: { now(): number }, body: () => Promise<unknown>): Promise<[number, string][]> {
  const lines: [number, string][] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    for (const line of String(chunk).split("\n").filter(Boolean)) lines.push([clock.now(), line]);
    return true;
  }) as typeof process.stdout.write;
  try {
    await body();
  } finally {
    process.stdout.write = write;
  }
  return lines;
}

function gaps(lines: [number, string][], from: number, to: number): number[] {
  const times = [from, ...lines.map(([at]) => at), to];
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

describe("the action's wait log on a fake clock", () => {
  test("a 10-minute deletion job: a line per change, a 'still' line at each 30 s mark, none per look", async () => {
    const clock = fakeClock(0);
    const log = actionLog().report;
    const status = () =>
      clock.now() >= 600_000 ? "COMPLETED" : clock.now() >= 200_000 ? "IN_PROGRESS" : "PENDING";
    let looks = 0;
    const lines = await logged(clock, () =>
      pollJob(
        ARN,
        async () => {
          looks++;
          return { dataDeletionJobArn: ARN, status: status() };
        },
        { onPoll: (event) => log({ phase: "wait", jobName: "erase-1", ...event }) },
        clock,
      ),
    );
    expect(Math.max(...gaps(lines, 0, clock.now()))).toBeLessThanOrEqual(30_000);
    const said = lines.map(([, line]) => line);
    expect(said.filter((l) => !l.includes("still"))).toEqual([
      "erase-1: PENDING after 0s",
      expect.stringMatching(/^erase-1: IN_PROGRESS after 3m\d\ds$/),
      expect.stringMatching(/^erase-1: COMPLETED after 10m\d\ds$/),
    ]);
    expect(said).toContain("erase-1: still PENDING after 30s; AWS says up to a day");
    expect(said).toContain("erase-1: still IN_PROGRESS after 9m30s; AWS says up to a day");
    // Quieter than a line per look (the old log), which the first minute alone would have filled.
    expect(said.length).toBeLessThan(looks);
  });

  test("a training: its changes and a 'still' line at each 30 s mark, with what AWS's wait is like", async () => {
    const clock = fakeClock(0);
    const log = actionLog().report;
    const version = "arn:aws:personalize:us-east-1:000000000000:solution/shop/abc";
    let calls = 0;
    const api = {
      call: async () => {
        calls++;
        const at = clock.now();
        return {
          solutionVersion: {
            solutionVersionArn: version,
            status: at >= 95_000 ? "ACTIVE" : "CREATE IN_PROGRESS",
          },
        };
      },
    };
    const lines = await logged(clock, () =>
      awaitVersion(
        api as never,
        "arn:aws:personalize:us-east-1:000000000000:solution/shop",
        version,
        { pace: { minDelayMs: 5_000, maxDelayMs: 300_000 }, clock },
        (event) => log(event),
      ),
    );
    expect(calls).toBeGreaterThan(lines.length);
    expect(lines.map(([at, line]) => [at, line.replace(version, "V")])).toEqual([
      [0, "Training V: CREATE IN_PROGRESS after 0s"],
      [30_000, "Training V: still CREATE IN_PROGRESS after 30s; a training can take hours"],
      [60_000, "Training V: still CREATE IN_PROGRESS after 1m00s; a training can take hours"],
      [90_000, "Training V: still CREATE IN_PROGRESS after 1m30s; a training can take hours"],
      [expect.any(Number), expect.stringMatching(/^Training V: ACTIVE after 1m\d\ds$/)],
    ]);
  });
});

describe("the action's source, run as the runner runs it, against a 40-second job", () => {
  const KEY = { accessKeyId: "AKIDACTIONWAIT", secretAccessKey: "action-wait-secret" };
  let emu: RunningEmulator;
  let workspace: string;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, jobSeconds: 40, ...KEY });
    workspace = mkdtempSync(join(tmpdir(), "pdd-action-wait-"));
  });
  afterAll(async () => {
    await emu.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  test("the Wait group is never silent over 30 s and sees COMPLETED within a tenth of the job's time", async () => {
    const output = join(workspace, "output");
    const summary = join(workspace, "summary");
    writeFileSync(output, "");
    writeFileSync(summary, "");
    const run = await runTimed([process.execPath, join(ROOT, "action/index.ts")], {
      cwd: workspace,
      env: {
        PATH: process.env.PATH ?? "",
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        RUNNER_TEMP: workspace,
        GITHUB_WORKSPACE: workspace,
        GITHUB_REPOSITORY: "octo-org/shop",
        GITHUB_RUN_ID: "4242",
        GITHUB_RUN_ATTEMPT: "1",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: KEY.accessKeyId,
        AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
        "INPUT_ENDPOINT-URL": emu.endpoint,
        "INPUT_DATASET-GROUP-ARN": emu.emulator.datasetGroupArn,
        "INPUT_ROLE-ARN": "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
        "INPUT_USER-IDS": "user-007",
        "INPUT_S3-URI": `s3://${emu.emulator.bucket}/action-wait/`,
        "INPUT_JOB-NAME": "action-wait",
        INPUT_WAIT: "true",
      },
    });
    const said = run.stdout.map((l) => l.line);
    expect(run.code).toBe(0);
    const start = run.stdout.findIndex((l) => l.line === "::group::Wait");
    const end = run.stdout.findIndex((l, i) => i > start && l.line === "::endgroup::");
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const waiting = run.stdout.slice(start, end + 1);
    const span = (waiting.at(-1)?.at ?? 0) - (waiting[0]?.at ?? 0);
    expect(longestSilence(waiting, (waiting[0]?.at ?? 0) + span)).toBeLessThanOrEqual(31_000);
    expect(said).toContain("action-wait: still IN_PROGRESS after 30s; AWS says up to a day");
    expect(said.filter((l) => /^action-wait: (PENDING|IN_PROGRESS|COMPLETED) after/.test(l)).length).toBe(3);
    // The wait began about when the job was made: a 40 s job is seen within 40 + 4 s, plus 3 s of slack.
    expect(span).toBeLessThanOrEqual(47_000);
    expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).not.toContain("user-007");
  }, 120_000);
});
