// Nothing lost, nothing done twice, under faults: the emulator (over real sockets) fails, throttles, resets
// and drops the responses of 20% of requests, deterministically seeded.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { ErasureClient } from "../../src/erasure/index.ts";
import { DataDeletionClient, serializeUserIds } from "../../src/index.ts";

const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const RUNS = 100;
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    jobSeconds: 0,
    seed: Array.from({ length: RUNS * 3 }, (_, i) => ({ userId: `u-${i}`, itemId: "i", timestamp: 1 })),
    faults: {
      failRate: 0.05,
      throttleRate: 0.05,
      resetRate: 0.05,
      dropResponseRate: 0.05,
      latencyMs: 1,
      seed: 7,
    },
  });
});
afterAll(() => emu.close());

// A client of an emulator's endpoint that retries through its faults without sleeping.
const settings = (endpoint: string) => ({
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  endpoint,
  s3Endpoint: endpoint,
  maxAttempts: 8,
  useEnvironment: false,
  clock: { sleep: async () => {} },
});
const client = (endpoint: string) => new DataDeletionClient(settings(endpoint));

test(`${RUNS} deleteUsers runs in a row with 20% of requests failing: every user deleted, one job each, bytes intact`, async () => {
  const c = client(emu.endpoint);
  for (let run = 0; run < RUNS; run++) {
    const ids = [`u-${run * 3}`, `u-${run * 3 + 1}`, `u-${run * 3 + 2}`, `u-${run * 3}`];
    const out = await c.deleteUsers({
      users: ids,
      s3Uri: `s3://${emu.emulator.bucket}/faults/`,
      datasetGroupArn: emu.emulator.datasetGroupArn,
      roleArn: ROLE,
      jobName: `fault-run-${run}`,
      keepUploadedFile: true,
      wait: { minDelayMs: 1 },
    });
    expect(out.jobs.map((j) => j.status)).toEqual(["COMPLETED"]);
    const stored = emu.emulator.state.buckets.get(emu.emulator.bucket)?.get(`faults/fault-run-${run}.csv`);
    const expected = (await serializeUserIds(ids)).files[0] as Uint8Array;
    expect(
      createHash("sha256")
        .update(stored?.body as Uint8Array)
        .digest("hex"),
    ).toBe(createHash("sha256").update(expected).digest("hex"));
  }
  // Count the jobs through the API (under the same faults), as a user would.
  const names: string[] = [];
  for await (const job of c.paginateDataDeletionJobs({
    datasetGroupArn: emu.emulator.datasetGroupArn,
    pageSize: 7,
  }))
    names.push(job.jobName as string);
  expect(names.length).toBe(RUNS);
  expect(new Set(names).size).toBe(RUNS);
  expect(emu.emulator.state.users(emu.emulator.datasetGroupArn)).toEqual([]);
}, 120_000);

test("the waiter survives an emulator restart (--data-dir) in the middle of a wait", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pdd-restart-"));
  let running = await startEmulator({ port: 0, jobSeconds: 2, dataDir: dir });
  const port = running.port;
  try {
    const c = new DataDeletionClient({
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      endpoint: running.endpoint,
      s3Endpoint: running.endpoint,
      maxAttempts: 2,
      useEnvironment: false,
    });
    const { jobs } = await c.deleteUsers({
      users: ["user-045"],
      s3Uri: `s3://${running.emulator.bucket}/restart/`,
      datasetGroupArn: running.emulator.datasetGroupArn,
      roleArn: ROLE,
      jobName: "restart-wait",
    });
    const arn = jobs[0]?.dataDeletionJobArn as string;
    const transient: string[] = [];
    const waiting = c.waitForDataDeletionJob(arn, {
      minDelayMs: 100,
      maxDelayMs: 200,
      timeoutMs: 20_000,
      onPoll: (e) => e.error && transient.push(e.error.name),
    });
    await new Promise((r) => setTimeout(r, 150));
    await running.close();
    await new Promise((r) => setTimeout(r, 600));
    running = await startEmulator({ port, jobSeconds: 2, dataDir: dir });
    const job = await waiting;
    expect(job.status).toBe("COMPLETED");
    expect(job.numDeleted).toBe(3);
    expect(transient.length).toBeGreaterThan(0);
    expect(running.emulator.state.users(running.emulator.datasetGroupArn)).not.toContain("user-045");
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

test("20 complete erasures with retrain under 20% faults, lost answers included: one deletion job, one new version and one campaign move each", async () => {
  const runs = 20;
  const world = await startEmulator({
    port: 0,
    jobSeconds: 0,
    trainingSeconds: 0,
    campaignSeconds: 0,
    faults: {
      failRate: 0.05,
      throttleRate: 0.05,
      resetRate: 0.05,
      dropResponseRate: 0.05,
      latencyMs: 1,
      seed: 11,
    },
  });
  try {
    const c = new ErasureClient(settings(world.endpoint));
    const { state, datasetGroupArn, bucket } = world.emulator;
    for (let run = 0; run < runs; run++) {
      const { receipt } = await c.eraseUsers({
        users: [`user-${String(run + 1).padStart(3, "0")}`],
        s3Uri: `s3://${bucket}/fault-erasures/`,
        datasetGroupArn,
        roleArn: ROLE,
        jobName: `fault-erase-${run}`,
        wait: { minDelayMs: 1, maxDelayMs: 1 },
        retrain: true,
      });
      expect(receipt.complete).toBe(true);
    }
    const jobs = [...state.jobs.values()].map((j) => j.jobName).sort();
    expect(jobs).toEqual(Array.from({ length: runs }, (_, i) => `fault-erase-${i}`).sort());
    const { versions, campaigns } = state.world.data();
    const trained = versions.filter((v) => v.name !== undefined).map((v) => v.name);
    expect(trained).toEqual(Array.from({ length: runs }, (_, i) => `fault-erase-${i}-retrain`));
    // Each campaign was moved once per erasure, to that erasure's version, in order.
    expect(campaigns[0]?.moves).toEqual(versions.filter((v) => v.name).map((v) => v.solutionVersionArn));
    const served = versions.find((v) => v.solutionVersionArn === campaigns[0]?.solutionVersionArn);
    for (let run = 0; run < runs; run++)
      expect(served?.users).not.toContain(`user-${String(run + 1).padStart(3, "0")}`);
    expect(
      [...(state.buckets.get(bucket)?.keys() ?? [])].filter((k) => k.startsWith("fault-erasures/")),
    ).toEqual([]);
  } finally {
    await world.close();
  }
}, 120_000);
