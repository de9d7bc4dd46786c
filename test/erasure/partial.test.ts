// `error.partial`: what deleteUsers, eraseUsers and continueErasure had done when they failed or stopped
// waiting (the jobs with their last status, the stage, the ids' figures, and for the erasure a receipt read
// from AWS state), so a front-end reports it without rebuilding it from events. Against the emulator; the
// official SDK makes what stands in the way "from outside".
import { afterEach, describe, expect, test } from "bun:test";
import { CreateDataDeletionJobCommand, PersonalizeClient } from "@aws-sdk/client-personalize";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ErasureFailedError, ErasureWaitTimeoutError } from "../../src/erasure/index.ts";
import {
  ConflictError,
  type DataDeletionError,
  ValidationError,
  WaiterTimeoutError,
} from "../../src/index.ts";
import { clientFor, erasureClientFor, ROLE_ARN } from "../support/client.ts";
import { fakeClock } from "../support/fake-clock.ts";
import { startVerifyingServer, TEST_CREDENTIALS, type VerifyingServer } from "../support/verifying-server.ts";

let server: VerifyingServer;
afterEach(() => server?.close());

const USERS = ["user-001", "user-002", "user-002"];

function world() {
  const clock = fakeClock(Date.now());
  server = startVerifyingServer({
    jobSeconds: 600,
    trainingSeconds: 3600,
    campaignSeconds: 300,
    now: clock.now,
  });
  return {
    clock,
    erasure: erasureClientFor(server, { clock }),
    deletion: clientFor(server, { clock }),
    dsg: server.emulator.datasetGroupArn,
    bucket: server.emulator.bucket,
  };
}

async function failure(run: Promise<unknown>): Promise<DataDeletionError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as DataDeletionError;
}

// Its plain form carries `partial`, and no id of the list.
function expectPlainForm(error: DataDeletionError) {
  const text = JSON.stringify(error);
  expect(JSON.parse(text).partial).toEqual(JSON.parse(JSON.stringify(error.partial)));
  for (const id of USERS) expect(text).not.toContain(id);
}

describe("eraseUsers", () => {
  test("a wait that times out: the job with the status last seen, the stage, the figures and the receipt", async () => {
    const w = world();
    const error = await failure(
      w.erasure.eraseUsers({
        users: USERS,
        s3Uri: `s3://${w.bucket}/erasures/`,
        datasetGroupArn: w.dsg,
        roleArn: ROLE_ARN,
        jobName: "erase-timeout",
        wait: { timeoutMs: 0 },
      }),
    );
    expect(error).toBeInstanceOf(WaiterTimeoutError);
    expect(error.partial).toMatchObject({
      jobs: [
        {
          jobName: "erase-timeout",
          dataLocation: `s3://${w.bucket}/erasures/erase-timeout.csv`,
          status: "PENDING",
          adopted: false,
          uploadedFileDeleted: false,
        },
      ],
      stage: "wait",
      userCount: 2,
      duplicateCount: 1,
    });
    // Read from AWS state: the job is there and not done.
    expect(error.partial?.receipt).toMatchObject({
      jobName: "erase-timeout",
      stage: "deleting",
      complete: false,
    });
    expect(error.partial?.receipt?.jobs.map((j) => j.jobName)).toEqual(["erase-timeout"]);
    expectPlainForm(error);
  });

  test("a part refused after another was made: the part made, stage upload", async () => {
    const w = world();
    // The second part's name taken "from outside" by a job of another list.
    const sdk = { region: "us-east-1", endpoint: server.url, credentials: TEST_CREDENTIALS };
    await new S3Client({ ...sdk, forcePathStyle: true }).send(
      new PutObjectCommand({ Bucket: w.bucket, Key: "other.csv", Body: "USER_ID\nuser-999\n" }),
    );
    await new PersonalizeClient(sdk).send(
      new CreateDataDeletionJobCommand({
        jobName: "erase-split-part-2",
        datasetGroupArn: w.dsg,
        roleArn: ROLE_ARN,
        dataSource: { dataLocation: `s3://${w.bucket}/other.csv` },
      }),
    );
    const users = Array.from({ length: 15 }, (_, i) => `user-${String(i + 100).padStart(3, "0")}`);
    const error = await failure(
      w.erasure.eraseUsers({
        users,
        s3Uri: `s3://${w.bucket}/split/`,
        datasetGroupArn: w.dsg,
        roleArn: ROLE_ARN,
        jobName: "erase-split",
        maxFileBytes: 100,
        ifBusy: "ignore",
        wait: true,
      }),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.partial?.stage).toBe("upload");
    expect(error.partial?.jobs.map((j) => [j.jobName, j.adopted])).toEqual([["erase-split-part-1", false]]);
    expect(error.partial?.userCount).toBe(15);
    expect(error.partial?.receipt).toBeUndefined();
  });

  test("a FAILED job: the partial's receipt is the error's, the job FAILED", async () => {
    const w = world();
    const location = `s3://${w.bucket}/missing.csv`;
    const error = await failure(
      w.erasure.eraseUsers({
        dataLocation: location,
        datasetGroupArn: w.dsg,
        roleArn: ROLE_ARN,
        jobName: "erase-failed",
        wait: { minDelayMs: 60_000, maxDelayMs: 60_000 },
      }),
    );
    expect(error).toBeInstanceOf(ErasureFailedError);
    expect(error.partial?.receipt).toBe((error as ErasureFailedError).receipt);
    expect(error.partial?.jobs.map((j) => [j.jobName, j.status, j.dataLocation])).toEqual([
      ["erase-failed", "FAILED", location],
    ]);
    // A given data location: no ids were prepared.
    expect(error.partial?.userCount).toBeUndefined();
  });

  test("an input refused before anything was done carries nothing", async () => {
    const w = world();
    const error = await failure(
      w.erasure.eraseUsers({
        users: USERS,
        s3Uri: `s3://${w.bucket}/erasures/`,
        datasetGroupArn: w.dsg,
        roleArn: "not-a-role",
        jobName: "erase-refused",
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.partial).toBeUndefined();
    expect(JSON.parse(JSON.stringify(error))).not.toHaveProperty("partial");
  });
});

test("continueErasure: a training's wait that times out says the stage retrain and where the erasure stands", async () => {
  const w = world();
  await w.erasure.eraseUsers({
    users: USERS,
    s3Uri: `s3://${w.bucket}/erasures/`,
    datasetGroupArn: w.dsg,
    roleArn: ROLE_ARN,
    jobName: "erase-later",
  });
  await w.clock.sleep(700_000);
  const error = await failure(
    w.erasure.continueErasure({
      datasetGroupArn: w.dsg,
      jobName: "erase-later",
      retrain: true,
      wait: { timeoutMs: 0 },
    }),
  );
  expect(error).toBeInstanceOf(ErasureWaitTimeoutError);
  expect(error.partial?.stage).toBe("retrain");
  expect(error.partial?.jobs.map((j) => [j.jobName, j.status, j.uploadedFileDeleted])).toEqual([
    ["erase-later", "COMPLETED", true],
  ]);
  expect(error.partial?.receipt).toMatchObject({ jobName: "erase-later", stage: "retraining" });
  expectPlainForm(error);
});

test("deleteUsers: a wait that times out carries the jobs with their last status, the stage and the figures", async () => {
  const w = world();
  const error = await failure(
    w.deletion.deleteUsers({
      users: USERS,
      s3Uri: `s3://${w.bucket}/plain/`,
      datasetGroupArn: w.dsg,
      roleArn: ROLE_ARN,
      jobName: "plain-timeout",
      wait: { timeoutMs: 0 },
    }),
  );
  expect(error).toBeInstanceOf(WaiterTimeoutError);
  expect(error.partial).toEqual({
    jobs: [
      {
        jobName: "plain-timeout",
        dataDeletionJobArn: (error as WaiterTimeoutError).dataDeletionJobArn,
        dataLocation: `s3://${w.bucket}/plain/plain-timeout.csv`,
        adopted: false,
        uploadedFileDeleted: false,
        status: "PENDING",
      },
    ],
    stage: "wait",
    userCount: 2,
    duplicateCount: 1,
  });
  expectPlainForm(error);
});
