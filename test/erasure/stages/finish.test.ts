// The stages after the jobs exist (src/erasure/stages/finish.ts). Most of finishErasure is proven through
// the erasure's runs in test/erasure/run.test.ts: the wait, one repeat job after an import during the
// deletion, no repeat on a file that is gone, every version of the file deleted (and not called gone
// without s3:ListBucketVersions), the retrain held for other deletion jobs, campaign moves. Not there: a job
// that ends FAILED, whose file must still be deleted and whose error must carry the receipt; and the pace
// of the stages' own waits (stageWait), tested directly.
import { afterEach, describe, expect, test } from "bun:test";
import {
  ListSolutionsCommand,
  ListSolutionVersionsCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import { ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";
import type { ErasureContext } from "../../../src/erasure/context.ts";
import { ErasureFailedError } from "../../../src/erasure/index.ts";
import { stageWait } from "../../../src/erasure/stages/finish.ts";
import { erasureClientFor, ROLE_ARN } from "../../support/client.ts";
import { fakeClock } from "../../support/fake-clock.ts";
import {
  startVerifyingServer,
  TEST_CREDENTIALS,
  type VerifyingServer,
} from "../../support/verifying-server.ts";

let server: VerifyingServer;
afterEach(() => server?.close());

const ERASED = ["user-001", "user-002"];

describe("a deletion job that ends FAILED", () => {
  // The emulator fails a job whose input is over maxInputBytes, as AWS fails one over its size limit.
  function failing() {
    server = startVerifyingServer({ jobSeconds: 1, maxInputBytes: 10 });
    const sdk = { region: "us-east-1", endpoint: server.url, credentials: TEST_CREDENTIALS };
    return {
      client: erasureClientFor(server),
      personalize: new PersonalizeClient(sdk),
      s3: new S3Client({ ...sdk, forcePathStyle: true }),
      input: {
        users: ERASED,
        s3Uri: `s3://${server.emulator.bucket}/erasures/`,
        datasetGroupArn: server.emulator.datasetGroupArn,
        roleArn: ROLE_ARN,
        jobName: "erase-fails",
        wait: { minDelayMs: 1 },
        retrain: {},
      },
    };
  }

  const versionsOf = async (personalize: PersonalizeClient) => {
    const { solutions } = await personalize.send(
      new ListSolutionsCommand({ datasetGroupArn: server.emulator.datasetGroupArn }),
    );
    const { solutionVersions } = await personalize.send(
      new ListSolutionVersionsCommand({ solutionArn: solutions?.[0]?.solutionArn }),
    );
    return solutionVersions?.length;
  };

  test("throws ErasureFailedError after deleting every version of its file; no retrain; the receipt says FAILED", async () => {
    const w = failing();
    await w.s3.send(
      new PutBucketVersioningCommand({
        Bucket: server.emulator.bucket,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const versionsBefore = await versionsOf(w.personalize);
    const error = await w.client.eraseUsers(w.input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErasureFailedError);
    const failed = error as ErasureFailedError;
    expect(failed.failureReason).toMatch(/exceeds the limit/);
    expect(failed.jobs?.map((j) => [j.jobName, j.status, j.uploadedFileDeleted])).toEqual([
      ["erase-fails", "FAILED", true],
    ]);
    // The list of ids is personal data: no version of it is left, even though the job failed.
    const listed = await w.s3.send(new ListObjectVersionsCommand({ Bucket: server.emulator.bucket }));
    expect([listed.Versions ?? [], listed.DeleteMarkers ?? []]).toEqual([[], []]);
    expect(failed.receipt.complete).toBe(false);
    expect(failed.receipt.jobs.map((j) => [j.jobName, j.status])).toEqual([["erase-fails", "FAILED"]]);
    // Training on a list that was not erased would prove nothing: none was started.
    expect(await versionsOf(w.personalize)).toBe(versionsBefore);
    const text = JSON.stringify(failed);
    for (const id of ERASED) expect(text).not.toContain(id);
    expect(server.emulator.state.users(server.emulator.datasetGroupArn)).toEqual(
      expect.arrayContaining(ERASED),
    );
  });

  test("failOnJobFailure: false returns the FAILED job and the receipt instead", async () => {
    const w = failing();
    const out = await w.client.eraseUsers({ ...w.input, failOnJobFailure: false });
    expect(out.jobs.map((j) => [j.status, j.uploadedFileDeleted])).toEqual([["FAILED", true]]);
    expect(out.receipt.complete).toBe(false);
    expect(out.receipt.jobs[0]?.failureReason).toMatch(/exceeds the limit/);
  });
});

describe("stageWait", () => {
  const context = (clock = fakeClock()) => ({ jobs: { clock } }) as unknown as ErasureContext;

  test("by default: a look at most every 5 min, the first after 5 s, no deadline", () => {
    const clock = fakeClock();
    const wait = stageWait(context(clock), {}, undefined);
    expect(wait).toEqual({
      pace: { minDelayMs: 5_000, maxDelayMs: 300_000 },
      timeoutMs: undefined,
      signal: undefined,
      clock,
    });
  });

  test("the caller's pace and deadline win; a longest delay under 5 s lowers the first one to it", () => {
    const signal = new AbortController().signal;
    expect(
      stageWait(context(), { minDelayMs: 1, maxDelayMs: 60_000, timeoutMs: 9_000 }, signal),
    ).toMatchObject({
      pace: { minDelayMs: 1, maxDelayMs: 60_000 },
      timeoutMs: 9_000,
      signal,
    });
    expect(stageWait(context(), { maxDelayMs: 2_000 }, undefined).pace).toEqual({
      minDelayMs: 2_000,
      maxDelayMs: 2_000,
    });
  });
});
