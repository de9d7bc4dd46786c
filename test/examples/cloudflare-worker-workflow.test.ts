// examples/cloudflare-worker's windows as Workflow instances in miniflare, against the emulator: a window's
// workflow killed (terminated) between two steps, once after its job is made and again while its model
// trains, is run again by the cron's next tick from its first step, and the erasure ends with one deletion
// job, one training per solution and one move per campaign, as the Personalize API itself lists them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  DescribeCampaignCommand,
  ListCampaignsCommand,
  ListDataDeletionJobsCommand,
  ListSolutionsCommand,
  ListSolutionVersionsCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import { Miniflare } from "miniflare";
import { configProblem, lookPace } from "../../examples/cloudflare-worker/src/config.ts";
import type { Env } from "../../examples/cloudflare-worker/src/env.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { applyMigrations } from "../support/d1-migrations.ts";
import { bundleWorker } from "../support/worker-bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TOKEN = "intake-token-for-tests-0123456789abcdef";
const USERS = ["wf-user-1", "wf-user-2", "wf-user-3"];
// Seeded too, erased by the second test's window.
const LATER = "wf-user-4";
let emu: RunningEmulator;
let mf: Miniflare;
let personalize: PersonalizeClient;
let groupArn: string;
// Calls that make something in Personalize, counted as the emulator receives them.
const made = new Map<string, number>();
const logged: string[] = [];

interface Instance {
  status(): Promise<{ status: string; output?: unknown }>;
  terminate(): Promise<void>;
}
let workflows: { get(id: string): Promise<Instance> };

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    jobSeconds: 3,
    trainingSeconds: 4,
    campaignSeconds: 2,
    datasetGroupName: "shop",
    seed: [...USERS, LATER].map((userId, i) => ({ userId, itemId: `item-${i}`, timestamp: 1700000000 + i })),
  });
  groupArn = emu.emulator.state.datasetGroupArn("shop");
  const inner = emu.emulator.fetch.bind(emu.emulator);
  emu.emulator.fetch = async (request: Request) => {
    const target = request.headers.get("x-amz-target")?.replace("AmazonPersonalize.", "") ?? "";
    const response = await inner(request);
    if (/^(Create|Update)/.test(target) && response.ok) made.set(target, (made.get(target) ?? 0) + 1);
    return response;
  };
  personalize = new PersonalizeClient({
    region: "us-east-1",
    endpoint: emu.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(join(ROOT, "examples/cloudflare-worker/src/index.ts")),
    compatibilityDate: "2026-04-01",
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr])
        stream.on("data", (chunk: Buffer) => logged.push(...String(chunk).split("\n")));
    },
    d1Databases: ["LEDGER"],
    r2Buckets: ["RECEIPTS"],
    queueProducers: { ERASURE_QUEUE: { queueName: "erasure-requests" } },
    queueConsumers: { "erasure-requests": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 } },
    workflows: { WINDOW_WORKFLOW: { name: "erasure-window", className: "WindowWorkflow" } },
    bindings: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL: emu.endpoint,
      DATASET_GROUPS: `shop=${groupArn}`,
      ROLE_ARN: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
      S3_URI: `s3://${emu.emulator.bucket}/intake/`,
      INTAKE_TOKEN: TOKEN,
      LEDGER_KEY: "ledger-key-for-tests-0123456789abcdef",
      DEADLINE_DAYS: "30",
      RETRY_DELAY_SECONDS: "1",
      RETRAIN: "true",
      SCAN: "false",
      SCRUB: "false",
      WINDOW_IDLE_SECONDS: "1",
      WINDOW_MAX_SECONDS: "10",
      LOOK_FIRST_SECONDS: "1",
      LOOK_MAX_SECONDS: "1",
    },
  });
  await applyMigrations(
    (await mf.getD1Database("LEDGER")) as never,
    join(ROOT, "examples/cloudflare-worker/migrations"),
  );
  workflows = ((await mf.getBindings()) as { WINDOW_WORKFLOW: typeof workflows }).WINDOW_WORKFLOW;
});
afterAll(async () => {
  await mf?.dispose();
  await emu?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = async () =>
  ((await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<unknown> }).scheduled({
    cron: "*/10 * * * *",
  });

interface WindowRow {
  id: string;
  status: string;
  stage: string | null;
  job_name: string;
  workflow_restarts: number;
}
async function windowRow(): Promise<WindowRow | undefined> {
  const db = await mf.getD1Database("LEDGER");
  const row = await db
    .prepare("SELECT id, status, stage, job_name, workflow_restarts FROM windows")
    .first<WindowRow>();
  return row ?? undefined;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Every version of every solution of the dataset group, and what each campaign serves, from the API.
async function models() {
  const { solutions = [] } = await personalize.send(new ListSolutionsCommand({ datasetGroupArn: groupArn }));
  const versions: string[] = [];
  const serving: string[] = [];
  for (const s of solutions) {
    const listed = await personalize.send(new ListSolutionVersionsCommand({ solutionArn: s.solutionArn }));
    versions.push(...(listed.solutionVersions ?? []).map((v) => v.solutionVersionArn as string));
    const { campaigns = [] } = await personalize.send(
      new ListCampaignsCommand({ solutionArn: s.solutionArn }),
    );
    for (const c of campaigns) {
      const { campaign } = await personalize.send(
        new DescribeCampaignCommand({ campaignArn: c.campaignArn }),
      );
      serving.push(campaign?.solutionVersionArn as string);
    }
  }
  return { solutions: solutions.length, versions, serving };
}

test("a window's workflow killed between two steps, twice, resumes from AWS state: one job, one training, one campaign move", async () => {
  const before = await models();
  expect(before.solutions).toBeGreaterThan(0);
  expect(before.serving.length).toBeGreaterThan(0);
  for (const userId of USERS) {
    const res = await mf.dispatchFetch("http://intake.example/erasure-requests", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ userId, datasetGroup: "shop" }),
    });
    expect(res.status).toBe(202);
  }
  await until("the requests in a window", async () => ((await windowRow())?.id ? true : undefined));
  // The cron closes the window once intake has paused and starts its workflow.
  const submitted = await until("the window's job to be made by its workflow", async () => {
    await tick();
    const row = await windowRow();
    return row?.status === "submitted" ? row : undefined;
  });
  const instance = await workflows.get(submitted.job_name);
  // Killed #1: its job made (the submit step done), before the looks that follow it.
  await instance.terminate();
  expect((await instance.status()).status).toBe("terminated");
  await sleep(1500);
  expect(made.get("CreateDataDeletionJob")).toBe(1);
  expect((await windowRow())?.stage).toBe("deleting");
  await tick();
  expect((await windowRow())?.workflow_restarts).toBe(1);
  // Killed #2: the run that took over saw the job end and started the training, then sleeps before its next look.
  await until("the window's model to train", async () =>
    (await windowRow())?.stage === "retrain" ? true : undefined,
  );
  expect(made.get("CreateSolutionVersion")).toBe(before.solutions);
  await (await workflows.get(submitted.job_name)).terminate();
  await tick();
  expect((await windowRow())?.workflow_restarts).toBe(2);
  const done = await until(
    "the window to be settled",
    async () => {
      await tick();
      const row = await windowRow();
      return row?.status !== "submitted" && row?.status !== "closing" ? row : undefined;
    },
    90_000,
  );
  // No data outside Personalize in this emulator: complete everywhere.
  expect(done.status).toBe("complete");
  expect((await (await workflows.get(submitted.job_name)).status()).status).toBe("complete");

  // Judged by what the Personalize API lists: one deletion job of the window's name (no repeat: nothing ran
  // during it), one new version per solution, each campaign moved to it once.
  const { dataDeletionJobs = [] } = await personalize.send(
    new ListDataDeletionJobsCommand({ datasetGroupArn: groupArn }),
  );
  expect(dataDeletionJobs.map((j) => [j.jobName, j.status])).toEqual([[submitted.job_name, "COMPLETED"]]);
  const after = await models();
  const trained = after.versions.filter((v) => !before.versions.includes(v));
  expect(trained).toHaveLength(before.solutions);
  expect(after.serving.every((v) => trained.includes(v))).toBe(true);
  expect(made.get("CreateDataDeletionJob")).toBe(1);
  expect(made.get("CreateSolutionVersion")).toBe(before.solutions);
  expect(made.get("UpdateCampaign")).toBe(before.serving.length);
  // The users are gone from the dataset and from the model the campaign serves; the one not asked for stays.
  expect(emu.emulator.state.users(groupArn)).toEqual([LATER]);
  const { versions } = emu.emulator.state.world.data();
  for (const arn of after.serving)
    expect(versions.find((v) => v.solutionVersionArn === arn)?.users).toEqual([LATER]);
  expect(logged.filter((l) => l.includes("its workflow is terminated; run again"))).toHaveLength(2);
}, 120_000);

test("a window handed on without a workflow (the tick that closed it stopped short, or an upgrade mid-erasure) gets one on the next tick", async () => {
  const db = await mf.getD1Database("LEDGER");
  const jobsBefore = made.get("CreateDataDeletionJob") ?? 0;
  const res = await mf.dispatchFetch("http://intake.example/erasure-requests", {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ userId: LATER, datasetGroup: "shop" }),
  });
  const { requestId } = (await res.json()) as { requestId: string };
  const win = await until("the request in an open window", async () => {
    const row = await db
      .prepare("SELECT w.id, w.job_name FROM requests r JOIN windows w ON w.id = r.window_id WHERE r.id = ?")
      .bind(requestId)
      .first<{ id: string; job_name: string }>();
    return row ?? undefined;
  });
  // What the cron leaves when it stops between closing the window and creating its instance.
  await db
    .prepare("UPDATE windows SET status = 'closing', closed_at = ? WHERE id = ?")
    .bind(Date.now(), win.id)
    .run();
  expect(await workflows.get(win.job_name).catch((e: Error) => e.message)).toMatch(/not[_ ]found/);
  await tick();
  expect((await (await workflows.get(win.job_name)).status()).status).not.toBe("unknown");
  const restarts = await db
    .prepare("SELECT workflow_restarts AS n FROM windows WHERE id = ?")
    .bind(win.id)
    .first<{ n: number }>();
  expect(restarts?.n).toBe(1);
  const settled = await until(
    "the window settled by its workflow",
    async () => {
      await tick();
      const row = await db
        .prepare("SELECT status FROM requests WHERE id = ?")
        .bind(requestId)
        .first<{ status: string }>();
      return row?.status === "completed" ? row : undefined;
    },
    60_000,
  );
  expect(settled.status).toBe("completed");
  expect(made.get("CreateDataDeletionJob")).toBe(jobsBefore + 1);
  expect(emu.emulator.state.users(groupArn)).toEqual([]);
}, 90_000);

test("the pace between looks: a minute first, doubling up to an hour; a day's wait is a few dozen looks", () => {
  const pace = lookPace({} as Env);
  expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map(pace)).toEqual(
    [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600].map((s) => s * 1000),
  );
  // A job that takes the guide's "up to a day" is seen within the hour, after so many looks (and as many
  // sleeps: an instance's steps are bounded, 1,024 on Cloudflare).
  let waited = 0;
  let looks = 0;
  while (waited < 24 * 3600 * 1000) waited += pace(++looks);
  expect(looks).toBeLessThan(30);
  const quick = lookPace({ LOOK_FIRST_SECONDS: "1", LOOK_MAX_SECONDS: "2" } as Env);
  expect([1, 2, 3].map(quick)).toEqual([1000, 2000, 2000]);
  // A pace that is no number refuses the start, naming the var and what it got.
  const secrets = { INTAKE_TOKEN: TOKEN, LEDGER_KEY: "ledger-key-for-tests-0123456789abcdef" };
  expect(configProblem({ ...secrets, LOOK_FIRST_SECONDS: "1" } as Env)).toBeUndefined();
  expect(configProblem({ ...secrets, LOOK_FIRST_SECONDS: "soon", LOOK_MAX_SECONDS: "0" } as Env)).toBe(
    'refusing to start: LOOK_FIRST_SECONDS is not a number of seconds above 0 (got "soon"), LOOK_MAX_SECONDS is not a number of seconds above 0 (got "0")',
  );
  // A maximum under the first is the first: never a pace that shrinks.
  expect(lookPace({ LOOK_FIRST_SECONDS: "90", LOOK_MAX_SECONDS: "30" } as Env)(5)).toBe(90_000);
});
