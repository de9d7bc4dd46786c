// The complete erasure against the emulator, with the official AWS SDK v3 clients as the independent
// reference for what AWS shows afterwards (and for starting trainings and imports "from outside").
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import {
  CreateDatasetImportJobCommand,
  CreateSolutionVersionCommand,
  DescribeCampaignCommand,
  ListDataDeletionJobsCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import {
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { DatasetGroupBusyError, type ErasureReceipt } from "../../src/erasure/index.ts";
import { ResourceNotFoundException, ValidationError } from "../../src/index.ts";
import { erasureClientFor, ROLE_ARN } from "../support/client.ts";
import { fakeClock } from "../support/fake-clock.ts";
import { startVerifyingServer, TEST_CREDENTIALS, type VerifyingServer } from "../support/verifying-server.ts";

let server: VerifyingServer;
afterEach(() => server?.close());

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validateReceipt = ajv.compile(
  JSON.parse(readFileSync(new URL("../../schema/erasure-receipt.schema.json", import.meta.url), "utf8")),
);
function expectValidReceipt(receipt: ErasureReceipt, ids: string[]) {
  const ok = validateReceipt(JSON.parse(JSON.stringify(receipt)));
  expect(validateReceipt.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  const text = JSON.stringify(receipt);
  for (const id of ids) expect(text).not.toContain(id);
  expect(text).not.toContain(TEST_CREDENTIALS.secretAccessKey);
}

function world(options: Parameters<typeof startVerifyingServer>[0] = {}) {
  const clock = fakeClock(Date.now());
  server = startVerifyingServer({
    jobSeconds: 600,
    trainingSeconds: 3600,
    campaignSeconds: 300,
    now: clock.now,
    ...options,
  });
  const sdk = { region: "us-east-1", endpoint: server.url, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  // The SDK signs with real time; the emulator's time is the fake clock, so the SDK is told the difference.
  const onFakeTime = <C extends PersonalizeClient | S3Client>(client: C): C => {
    const stack = client.middlewareStack as unknown as {
      add(mw: (next: (args: unknown) => unknown) => (args: unknown) => unknown, options: object): void;
    };
    stack.add(
      (next) => (args) => {
        client.config.systemClockOffset = clock.now() - Date.now();
        return next(args);
      },
      { step: "initialize" },
    );
    return client;
  };
  return {
    clock,
    client: erasureClientFor(server, { clock }),
    personalize: onFakeTime(new PersonalizeClient(sdk)),
    s3: onFakeTime(new S3Client({ ...sdk, forcePathStyle: true })),
    dsg: server.emulator.datasetGroupArn,
    bucket: server.emulator.bucket,
  };
}

async function debug<T>(path: string): Promise<T> {
  const arn = encodeURIComponent(server.emulator.datasetGroupArn);
  return (await (
    await server.emulator.fetch(new Request(`http://emulator/_emulator/${path}?datasetGroupArn=${arn}`))
  ).json()) as T;
}
const datasetUsers = async () => (await debug<{ users: string[] }>("users")).users;
const models = () =>
  debug<{
    solutionVersions: { solutionVersionArn: string; status: string; users: string[] }[];
    campaigns: { campaignArn: string; solutionVersionArn: string; status: string }[];
  }>("models");

const ERASED = ["user-001", "user-002", "user-017"];

describe("eraseUsers", () => {
  test("a full erasure with retrain leaves no erased user in the datasets, the model a campaign serves, or S3 (no version)", async () => {
    const w = world();
    await w.s3.send(
      new PutBucketVersioningCommand({ Bucket: w.bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    const before = await models();
    expect(before.solutionVersions[0]?.users).toEqual(expect.arrayContaining(ERASED));
    const phases = new Set<string>();
    const stages: string[] = [];
    const out = await w.client.eraseUsers({
      users: [...ERASED, "user-001"],
      s3Uri: `s3://${w.bucket}/erasures/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "erase-full",
      wait: true,
      retrain: true,
      onProgress: (e) => {
        phases.add(e.phase);
        if (e.phase === "stage") stages.push(e.stage);
      },
    });
    const { receipt } = out;
    expect(receipt.complete).toBe(true);
    expect(receipt.stage).toBe("complete");
    expect(receipt.users).toEqual({ unique: 3, duplicatesRemoved: 1, trimmed: 0, from: "this-run" });
    expect([...phases].filter((p) => p !== "stage")).toEqual([
      "prepare",
      "upload",
      "create",
      "wait",
      "cleanup",
      "retrain",
      "campaign",
    ]);
    expect(stages).toEqual(["preflight", "upload", "wait", "cleanup", "retrain", "receipt"]);

    // What AWS shows, read by the SDK and the emulator's debug view, not by the code under test.
    for (const id of ERASED) expect(await datasetUsers()).not.toContain(id);
    const after = await models();
    const campaign = after.campaigns[0];
    const served = after.solutionVersions.find((v) => v.solutionVersionArn === campaign?.solutionVersionArn);
    expect(served?.solutionVersionArn).not.toBe(before.campaigns[0]?.solutionVersionArn);
    expect(served?.users.length).toBe(47);
    for (const id of ERASED) expect(served?.users).not.toContain(id);
    const described = await w.personalize.send(
      new DescribeCampaignCommand({ campaignArn: campaign?.campaignArn }),
    );
    expect(described.campaign?.solutionVersionArn).toBe(receipt.retrain.solutions[0]?.solutionVersionArn);
    const versions = await w.s3.send(
      new ListObjectVersionsCommand({ Bucket: w.bucket, Prefix: "erasures/" }),
    );
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);

    expect(receipt.files).toEqual([
      expect.objectContaining({
        dataLocation: `s3://${w.bucket}/erasures/erase-full.csv`,
        versionsLeft: 0,
        versionsDeleted: 1,
      }),
    ]);
    expect(receipt.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(receipt.retrain.campaigns[0]).toMatchObject({
      movedByThisRun: true,
      from: before.campaigns[0]?.solutionVersionArn,
    });
    // This world keeps nothing in S3 around Personalize (its batch job names no input or output path).
    expect(receipt.outsidePersonalize).toEqual({ checked: "listed", locations: [], pending: [] });
    expect(receipt.completeEverywhere).toBe(true);
    expectValidReceipt(receipt, ERASED);
  });

  test("without retrain, the receipt says plainly which solution and campaign still hold the users", async () => {
    const w = world();
    const { receipt } = await w.client.eraseUsers({
      users: ERASED,
      s3Uri: `s3://${w.bucket}/erasures/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "erase-no-retrain",
      wait: true,
    });
    expect(receipt.complete).toBe(false);
    expect(receipt.stage).toBe("models-hold-users");
    expect(receipt.pending).toEqual([
      expect.stringMatching(
        /^solution arn:.*solution\/emulator-sample-solution: the models still hold the users/,
      ),
      expect.stringMatching(
        /^campaign arn:.*campaign\/emulator-sample-campaign: serves .*\/00000001, trained before the deletion/,
      ),
    ]);
    // The model the campaign serves still has them: the gap the guide warns about, shown.
    const { solutionVersions } = await models();
    expect(solutionVersions).toHaveLength(1);
    expect(solutionVersions[0]?.users).toEqual(expect.arrayContaining(ERASED));
    expectValidReceipt(receipt, ERASED);
  });

  test("ifBusy fail during a training: DatasetGroupBusyError names it; nothing uploaded, no job made", async () => {
    const w = world();
    const solutionArn = (await models()).solutionVersions[0]?.solutionVersionArn.replace(/\/[^/]+$/, "");
    const { solutionVersionArn } = await w.personalize.send(
      new CreateSolutionVersionCommand({ solutionArn, name: "nightly" }),
    );
    const error = await w.client
      .eraseUsers({
        users: ERASED,
        s3Uri: `s3://${w.bucket}/erasures/`,
        datasetGroupArn: w.dsg,
        roleArn: ROLE_ARN,
        jobName: "erase-busy",
        wait: true,
        ifBusy: "fail",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetGroupBusyError);
    expect((error as DatasetGroupBusyError).busy).toEqual([
      expect.objectContaining({
        kind: "solution-version",
        arn: solutionVersionArn,
        status: "CREATE PENDING",
      }),
    ]);
    expect((error as Error).message).toContain(`solution-version ${solutionVersionArn} (CREATE PENDING)`);
    const jobs = await w.personalize.send(new ListDataDeletionJobsCommand({ datasetGroupArn: w.dsg }));
    expect(jobs.dataDeletionJobs).toEqual([]);
    const objects = await w.s3.send(new ListObjectVersionsCommand({ Bucket: w.bucket }));
    expect(objects.Versions).toBeUndefined();
  });

  test("ifBusy wait (the default) waits out a training, with progress, then erases", async () => {
    const w = world({ trainingSeconds: 1800 });
    const solutionArn = (await models()).solutionVersions[0]?.solutionVersionArn.replace(/\/[^/]+$/, "");
    await w.personalize.send(new CreateSolutionVersionCommand({ solutionArn, name: "nightly" }));
    const busy: number[] = [];
    const { receipt } = await w.client.eraseUsers({
      users: ERASED,
      s3Uri: `s3://${w.bucket}/erasures/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "erase-wait",
      wait: true,
      onProgress: (e) => e.phase === "preflight" && busy.push(e.busy.length),
    });
    expect(busy[0]).toBe(1);
    expect(busy.at(-1)).toBe(0);
    expect(receipt.preflight).toMatchObject({
      decision: "waited",
      busy: [expect.objectContaining({ kind: "solution-version" })],
    });
    expect(receipt.preflight?.waitedMs).toBeGreaterThanOrEqual(1_800_000);
    expect(receipt.jobs.map((j) => j.interference)).toEqual([[]]);
  });

  test("an import started during the deletion leads to one repeat job, which erases the re-imported user", async () => {
    const w = world();
    await w.s3.send(
      new PutObjectCommand({
        Bucket: w.bucket,
        Key: "imports/late.csv",
        Body: "USER_ID,ITEM_ID,TIMESTAMP\nuser-001,item-9,1700009999\n",
      }),
    );
    const datasetArn = w.dsg.replace(/:dataset-group\/(.*)$/, ":dataset/$1/INTERACTIONS");
    let started = false;
    const events: string[] = [];
    const { receipt } = await w.client.eraseUsers({
      users: ERASED,
      s3Uri: `s3://${w.bucket}/erasures/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "erase-interfered",
      wait: true,
      onProgress: (e) => {
        if (e.phase === "interference") events.push(`${e.jobName}->${e.repeatJobName}`);
        if (e.phase !== "wait" || started) return;
        started = true;
        void w.personalize.send(
          new CreateDatasetImportJobCommand({
            jobName: "late-import",
            datasetArn,
            dataSource: { dataLocation: `s3://${w.bucket}/imports/late.csv` },
            roleArn: ROLE_ARN,
          }),
        );
      },
    });
    expect(events).toEqual(["erase-interfered->erase-interfered-repeat-1"]);
    expect(receipt.jobs.map((j) => [j.purpose, j.jobName, j.status])).toEqual([
      ["deletion", "erase-interfered", "COMPLETED"],
      ["repeat", "erase-interfered-repeat-1", "COMPLETED"],
    ]);
    expect(receipt.jobs[0]?.interference).toEqual([
      expect.objectContaining({
        kind: "dataset-import-job",
        arn: expect.stringContaining("dataset-import-job/late-import"),
      }),
    ]);
    expect(receipt.jobs[1]?.interference).toEqual([]);
    expect(receipt.jobs[1]?.numDeleted).toBe(1);
    expect(await datasetUsers()).not.toContain("user-001");
    const jobs = await w.personalize.send(new ListDataDeletionJobsCommand({ datasetGroupArn: w.dsg }));
    expect(jobs.dataDeletionJobs?.map((j) => j.jobName).sort()).toEqual([
      "erase-interfered",
      "erase-interfered-repeat-1",
    ]);
    expectValidReceipt(receipt, ERASED);
  });

  test("a first run without waiting, then the same with wait and retrain: one job of that name and a complete receipt", async () => {
    const w = world();
    const input = {
      users: ERASED,
      s3Uri: `s3://${w.bucket}/erasures/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "erase-resumed",
    };
    const first = await w.client.eraseUsers(input);
    expect(first.receipt.stage).toBe("deleting");
    expect(first.receipt.pending[0]).toBe("deletion job erase-resumed is PENDING");
    expect(first.receipt.pending).toContain(
      `s3://${w.bucket}/erasures/erase-resumed.csv still holds the ids (1 version; deleted once no job needs it; a later run removes it)`,
    );
    const status = await w.client.erasureStatus({ datasetGroupArn: w.dsg, jobName: "erase-resumed" });
    expect(status.stage).toBe("deleting");
    expect(status.jobs[0]?.dataDeletionJobArn).toBe(first.jobs[0]?.dataDeletionJobArn);

    const second = await w.client.eraseUsers({ ...input, wait: true, retrain: true });
    expect(second.jobs[0]?.adopted).toBe(true);
    expect(second.receipt.complete).toBe(true);
    const jobs = await w.personalize.send(new ListDataDeletionJobsCommand({ datasetGroupArn: w.dsg }));
    expect(jobs.dataDeletionJobs?.map((j) => j.jobName)).toEqual(["erase-resumed"]);
    // A third run changes nothing and trains nothing more.
    const third = await w.client.eraseUsers({ ...input, wait: true, retrain: true });
    expect(third.receipt.complete).toBe(true);
    expect((await models()).solutionVersions).toHaveLength(2);
    expectValidReceipt(third.receipt, ERASED);
  });

  test("continueErasure: a scheduler's ticks carry an erasure on without the ids, looking only, until complete", async () => {
    const w = world();
    await w.s3.send(
      new PutBucketVersioningCommand({ Bucket: w.bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    await w.client.eraseUsers({
      users: ERASED,
      s3Uri: `s3://${w.bucket}/erasures/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "erase-ticks",
    });
    const tick = () =>
      w.client
        .continueErasure({
          datasetGroupArn: w.dsg,
          jobName: "erase-ticks",
          retrain: true,
          wait: { timeoutMs: 0 },
        })
        .then(
          (out) => out.receipt.stage,
          (error: Error) => error.name,
        );
    const seen = [await tick()];
    for (let i = 0; i < 20 && seen.at(-1) !== "complete"; i++) {
      await w.clock.sleep(300_000);
      seen.push(await tick());
    }
    // The job's wait, then the training's and the campaign update's, each a look that found it in progress.
    expect(seen[0]).toBe("WaiterTimeoutError");
    expect(seen).toContain("ErasureWaitTimeoutError");
    expect(seen.at(-1)).toBe("complete");
    const versions = await w.s3.send(
      new ListObjectVersionsCommand({ Bucket: w.bucket, Prefix: "erasures/" }),
    );
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);
    expect((await models()).solutionVersions.filter((v) => v.status === "ACTIVE")).toHaveLength(2);
    const none = await w.client.continueErasure({ datasetGroupArn: w.dsg, jobName: "never-made" });
    expect(none.receipt.stage).toBe("not-started");
  });

  test("continueErasure makes no repeat job on a file that is gone: the receipt asks for a run with the ids", async () => {
    const w = world();
    await w.client.eraseUsers({
      users: ERASED,
      s3Uri: `s3://${w.bucket}/erasures/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "erase-gone",
    });
    await w.s3.send(
      new PutObjectCommand({
        Bucket: w.bucket,
        Key: "imports/x.csv",
        Body: "USER_ID,ITEM_ID,TIMESTAMP\nuser-001,i,1\n",
      }),
    );
    await w.personalize.send(
      new CreateDatasetImportJobCommand({
        jobName: "during",
        datasetArn: w.dsg.replace(/:dataset-group\/(.*)$/, ":dataset/$1/INTERACTIONS"),
        dataSource: { dataLocation: `s3://${w.bucket}/imports/x.csv` },
        roleArn: ROLE_ARN,
      }),
    );
    // The job has read the file and COMPLETED; then someone deletes the file (its only version).
    await w.clock.sleep(700_000);
    await w.s3.send(new DeleteObjectCommand({ Bucket: w.bucket, Key: "erasures/erase-gone.csv" }));
    const { receipt } = await w.client.continueErasure({ datasetGroupArn: w.dsg, jobName: "erase-gone" });
    expect(receipt.stage).toBe("repeating");
    expect(receipt.pending[0]).toContain("imports or trainings ran during erase-gone");
    const jobs = await w.personalize.send(new ListDataDeletionJobsCommand({ datasetGroupArn: w.dsg }));
    expect(jobs.dataDeletionJobs?.map((j) => j.jobName)).toEqual(["erase-gone"]);
  });

  test("the retrain waits for the dataset group's other deletion jobs: a training now would void their deletion", async () => {
    const w = world({ jobSeconds: 600 });
    // Another erasure's job, started 5 minutes later than this one: it ends after this one does.
    const other = erasureClientFor(server, { clock: w.clock });
    await w.client.eraseUsers({
      users: ["user-030"],
      s3Uri: `s3://${w.bucket}/a/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "first",
    });
    await w.clock.sleep(300_000);
    await other.eraseUsers({
      users: ["user-031"],
      s3Uri: `s3://${w.bucket}/b/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "second",
    });
    const held: number[] = [];
    const { receipt } = await w.client.eraseUsers({
      users: ["user-030"],
      s3Uri: `s3://${w.bucket}/a/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "first",
      wait: true,
      retrain: true,
      onProgress: (e) => e.phase === "hold" && held.push(e.waitingFor.length),
    });
    expect(held.length).toBeGreaterThan(0);
    const second = await w.personalize.send(new ListDataDeletionJobsCommand({ datasetGroupArn: w.dsg }));
    const secondDone = second.dataDeletionJobs?.find((j) => j.jobName === "second")
      ?.lastUpdatedDateTime as Date;
    expect(Date.parse(receipt.retrain.solutions[0]?.createdAt as string)).toBeGreaterThanOrEqual(
      secondDone.getTime(),
    );
    // And so "second" saw no training during its run.
    const status = await other.erasureStatus({ datasetGroupArn: w.dsg, jobName: "second" });
    expect(status.jobs[0]?.interference).toEqual([]);
  });

  test("without s3:ListBucketVersions the file is deleted as a plain DELETE does, and the receipt does not call it gone", async () => {
    const w = world();
    server.intercept = (req) =>
      req.method === "GET" && /[?&]versions/.test(req.path)
        ? new Response("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", {
            status: 403,
          })
        : undefined;
    const { receipt } = await w.client.eraseUsers({
      users: ERASED,
      s3Uri: `s3://${w.bucket}/erasures/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "erase-no-list",
      wait: true,
    });
    expect(receipt.files[0]).toMatchObject({ versionsLeft: null, versionsDeleted: 1 });
    expect(receipt.pending).toContain(
      `s3://${w.bucket}/erasures/erase-no-list.csv: its versions could not be listed (allow s3:ListBucketVersions), so it may still hold the ids`,
    );
    expect(receipt.stage).toBe("cleaning-up");
    expect([...(server.emulator.state.buckets.get(w.bucket)?.keys() ?? [])]).toEqual([]);
    expectValidReceipt(receipt, ERASED);
  });

  test("a create the service refuses leaves no version of the uploaded file behind", async () => {
    const w = world();
    await w.s3.send(
      new PutBucketVersioningCommand({ Bucket: w.bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    const error = await w.client
      .eraseUsers({
        users: ERASED,
        s3Uri: `s3://${w.bucket}/erasures/`,
        datasetGroupArn: w.dsg.replace("emulator-sample", "no-such-group"),
        roleArn: ROLE_ARN,
        jobName: "erase-refused",
        wait: true,
        ifBusy: "ignore",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    const versions = await w.s3.send(
      new ListObjectVersionsCommand({ Bucket: w.bucket, Prefix: "erasures/" }),
    );
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);
  });

  test("a campaign that follows the latest version is verified, not updated", async () => {
    const w = world({ followingCampaign: true });
    const { receipt } = await w.client.eraseUsers({
      users: ERASED,
      s3Uri: `s3://${w.bucket}/erasures/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "erase-follow",
      wait: true,
      retrain: true,
    });
    expect(receipt.complete).toBe(true);
    const updates = server.requests.filter((r) => r.target === "AmazonPersonalize.UpdateCampaign");
    expect(updates).toHaveLength(1);
    const rows = receipt.retrain.campaigns.map((c) => [
      c.campaignArn.split("/").pop(),
      c.followsLatest,
      c.movedByThisRun,
    ]);
    expect(rows.sort()).toEqual([
      ["emulator-sample-campaign", false, true],
      ["emulator-sample-following-campaign", true, false],
    ]);
    const target = receipt.retrain.solutions[0]?.solutionVersionArn as string;
    expect((await models()).campaigns.map((c) => c.solutionVersionArn)).toEqual([target, target]);
  });

  test("bad choices fail before anything is sent, naming the field", async () => {
    const w = world();
    const base = { users: ERASED, s3Uri: `s3://${w.bucket}/x/`, datasetGroupArn: w.dsg, roleArn: ROLE_ARN };
    const bad = [
      [{ ifBusy: "later" }, 'ifBusy: must be one of wait, fail, ignore, received "later"'],
      [
        { retrain: { trainingMode: "AUTOTRAIN" } },
        'retrain.trainingMode: must be one of FULL, UPDATE, received "AUTOTRAIN"',
      ],
      [{ jobName: "a".repeat(64) }, "jobName: must be at most 63 characters long"],
      [
        { jobName: "a".repeat(60) },
        "jobName: must be at most 54 characters long, to leave room for its repeat job NAME-repeat-1, received 60 characters",
      ],
    ] as const;
    for (const [extra, message] of bad) {
      const error = await w.client.eraseUsers({ ...base, ...(extra as object) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(message);
    }
    expect(server.requests).toEqual([]);
  });
});
