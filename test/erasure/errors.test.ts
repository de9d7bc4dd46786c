// The erasure's own errors (src/erasure/errors.ts): what each carries for a caller to act on, and what its
// message says (never an id: these errors hold ARNs, statuses and times only).
import { describe, expect, test } from "bun:test";
import {
  DatasetGroupBusyError,
  ErasureFailedError,
  type ErasureReceipt,
  ErasureWaitTimeoutError,
} from "../../src/erasure/index.ts";
import type { Activity } from "../../src/erasure/types.ts";
import { DataDeletionError, DataDeletionJobFailedError, type DeletionJobResult } from "../../src/index.ts";

const DSG = "arn:aws:personalize:us-east-1:000000000000:dataset-group/shop";
const TRAINING: Activity = {
  kind: "solution-version",
  arn: "arn:aws:personalize:us-east-1:000000000000:solution/s/v1",
  status: "CREATE IN_PROGRESS",
};
const IMPORT: Activity = {
  kind: "dataset-import-job",
  arn: "arn:aws:personalize:us-east-1:000000000000:dataset-import-job/i",
  status: "CREATE PENDING",
};

describe("DatasetGroupBusyError", () => {
  test("names the group and each resource in use with its status; says nothing was done", () => {
    const error = new DatasetGroupBusyError(DSG, [TRAINING, IMPORT], 0);
    expect(error.message).toBe(
      `${DSG} is in use: solution-version ${TRAINING.arn} (CREATE IN_PROGRESS), dataset-import-job ${IMPORT.arn} (CREATE PENDING). AWS does not guarantee a deletion from models while data is imported or trained on; nothing was uploaded, no job made`,
    );
    expect([error.datasetGroupArn, error.busy, error.waitedMs]).toEqual([DSG, [TRAINING, IMPORT], 0]);
    expect([error.name, error.retryable, error instanceof DataDeletionError]).toEqual([
      "DatasetGroupBusyError",
      false,
      true,
    ]);
  });

  test("after a wait, says how long in whole seconds; its JSON carries the fields", () => {
    const error = new DatasetGroupBusyError(DSG, [TRAINING], 3_600_400);
    expect(error.message).toStartWith(`${DSG} is in use after waiting 3600 s: solution-version`);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: "DatasetGroupBusyError",
      datasetGroupArn: DSG,
      busy: [TRAINING],
      waitedMs: 3_600_400,
    });
  });
});

describe("ErasureWaitTimeoutError", () => {
  test("carries the stage, the resource and its last status; the message says to run again", () => {
    for (const stage of ["retrain", "campaign", "hold"] as const) {
      const error = new ErasureWaitTimeoutError(stage, TRAINING.arn, "CREATE IN_PROGRESS", 7_200_000);
      expect([error.stage, error.resourceArn, error.lastStatus, error.elapsedMs]).toEqual([
        stage,
        TRAINING.arn,
        "CREATE IN_PROGRESS",
        7_200_000,
      ]);
      expect(error.message).toBe(
        `gave up waiting for ${TRAINING.arn} after 7200 s (last status CREATE IN_PROGRESS); it goes on: run the same erasure again to carry on`,
      );
    }
    expect(new ErasureWaitTimeoutError("hold", "arn:x", undefined, 0).message).toContain(
      "(last status unknown)",
    );
  });
});

describe("ErasureFailedError", () => {
  test("is a DataDeletionJobFailedError with the jobs and the receipt of where the erasure stands", () => {
    const job = {
      dataDeletionJobArn: "arn:job",
      status: "FAILED" as const,
      failureReason: "role cannot read",
    };
    const jobs: DeletionJobResult[] = [
      {
        jobName: "erase",
        dataDeletionJobArn: "arn:job",
        dataLocation: "s3://b/k.csv",
        adopted: false,
        uploadedFileDeleted: true,
      },
    ];
    const receipt = {
      stage: "deleting",
      complete: false,
      pending: ["a job FAILED"],
    } as unknown as ErasureReceipt;
    const error = new ErasureFailedError(job, jobs, receipt);
    expect(error).toBeInstanceOf(DataDeletionJobFailedError);
    expect(error.name).toBe("ErasureFailedError");
    expect(error.message).toBe("data deletion job arn:job FAILED: role cannot read");
    expect([error.receipt, error.jobs, error.failureReason, error.keptAt]).toEqual([
      receipt,
      jobs,
      "role cannot read",
      undefined,
    ]);
    expect(JSON.parse(JSON.stringify(error)).receipt).toEqual(receipt);
  });
});
