// The preflight (src/erasure/stages/preflight.ts) against the emulator: a training started with the AWS SDK
// v3 makes the dataset group busy; each ifBusy choice is held to what it must do (fail at once, go on and
// record, or wait the training out on a fake clock the emulator shares).
import { afterEach, describe, expect, test } from "bun:test";
import {
  CreateSolutionVersionCommand,
  ListSolutionsCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import { DatasetGroupBusyError } from "../../../src/erasure/index.ts";
import { type PreflightEvent, preflight } from "../../../src/erasure/stages/preflight.ts";
import type { StageWait } from "../../../src/erasure/stages/retrain.ts";
import { erasureClientFor } from "../../support/client.ts";
import { fakeClock } from "../../support/fake-clock.ts";
import {
  startVerifyingServer,
  TEST_CREDENTIALS,
  type VerifyingServer,
} from "../../support/verifying-server.ts";

let server: VerifyingServer;
afterEach(() => server?.close());

const TRAINING_MS = 1_800_000;

function world() {
  const clock = fakeClock(Date.now());
  server = startVerifyingServer({ trainingSeconds: TRAINING_MS / 1000, now: clock.now });
  const client = erasureClientFor(server, { clock });
  const wait = (timeoutMs?: number): StageWait => ({
    pace: { minDelayMs: 5_000, maxDelayMs: 300_000 },
    timeoutMs,
    clock: client.clock,
  });
  // Before any fake sleep, so the SDK's real-time signature is within the emulator's clock skew.
  const startTraining = async () => {
    const personalize = new PersonalizeClient({
      region: "us-east-1",
      endpoint: server.url,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    const { solutions } = await personalize.send(
      new ListSolutionsCommand({ datasetGroupArn: server.emulator.datasetGroupArn }),
    );
    const out = await personalize.send(
      new CreateSolutionVersionCommand({ solutionArn: solutions?.[0]?.solutionArn, name: "nightly" }),
    );
    return out.solutionVersionArn as string;
  };
  return { clock, api: client.api, dsg: server.emulator.datasetGroupArn, wait, startTraining };
}

describe("preflight", () => {
  test("an idle group: go on, recorded as idle at the clock's time, whatever ifBusy says", async () => {
    const w = world();
    for (const ifBusy of ["fail", "ignore", "wait"] as const) {
      const { record, survey } = await preflight(w.api, w.dsg, ifBusy, w.wait());
      expect(record).toEqual({
        decision: "idle",
        busy: [],
        at: new Date(w.clock.now()).toISOString(),
        waitedMs: 0,
      });
      expect(survey.solutions.length).toBeGreaterThan(0);
    }
    expect(w.clock.sleeps).toEqual([]);
  });

  test("ifBusy fail: DatasetGroupBusyError naming the training, at once, no progress", async () => {
    const w = world();
    const versionArn = await w.startTraining();
    const events: PreflightEvent[] = [];
    const error = await preflight(w.api, w.dsg, "fail", w.wait(), (e) => events.push(e)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetGroupBusyError);
    expect((error as DatasetGroupBusyError).busy).toEqual([
      expect.objectContaining({ kind: "solution-version", arn: versionArn, status: "CREATE PENDING" }),
    ]);
    expect((error as DatasetGroupBusyError).waitedMs).toBe(0);
    expect([events, w.clock.sleeps]).toEqual([[], []]);
  });

  test("ifBusy ignore: goes on at once and records what was in progress", async () => {
    const w = world();
    const versionArn = await w.startTraining();
    const { record } = await preflight(w.api, w.dsg, "ignore", w.wait());
    expect(record).toMatchObject({
      decision: "ignored",
      waitedMs: 0,
      busy: [expect.objectContaining({ kind: "solution-version", arn: versionArn })],
    });
    expect(w.clock.sleeps).toEqual([]);
  });

  test("ifBusy wait: waits the training out with progress, records what it waited for and how long", async () => {
    const w = world();
    const versionArn = await w.startTraining();
    const events: PreflightEvent[] = [];
    const { record, survey } = await preflight(w.api, w.dsg, "wait", w.wait(), (e) => events.push(e));
    expect(record.decision).toBe("waited");
    expect(record.busy).toEqual([expect.objectContaining({ arn: versionArn, status: "CREATE PENDING" })]);
    expect(record.waitedMs).toBeGreaterThanOrEqual(TRAINING_MS);
    // Looks at the stage pace: no more than a tenth of the time waited past it.
    expect(record.waitedMs).toBeLessThan(TRAINING_MS * 1.1 + 5_000);
    expect(events[0]).toEqual({ phase: "preflight", busy: record.busy, elapsedMs: 0 });
    expect(events.at(-1)?.busy).toEqual([]);
    // The survey returned is the last one: the training has ended.
    const version = survey.solutions
      .flatMap((s) => s.versions)
      .find((v) => v.solutionVersionArn === versionArn);
    expect(version?.status).toBe("ACTIVE");
  });

  test("ifBusy wait past its deadline: DatasetGroupBusyError with the time waited", async () => {
    const w = world();
    await w.startTraining();
    const error = await preflight(w.api, w.dsg, "wait", w.wait(600_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetGroupBusyError);
    expect((error as DatasetGroupBusyError).waitedMs).toBe(600_000);
    expect((error as Error).message).toContain("is in use after waiting 600 s: solution-version");
  });
});
