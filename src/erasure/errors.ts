import { DataDeletionError, DataDeletionJobFailedError } from "../errors.ts";
import type { DataDeletionJob, DeletionJobResult } from "../model/types.ts";
import type { Activity, ErasureReceipt } from "./types.ts";

const describe = (busy: Activity[]): string => busy.map((a) => `${a.kind} ${a.arn} (${a.status})`).join(", ");

/**
 * The dataset group is in use (an import, a training or a batch job in progress) and `ifBusy` said not to
 * go on: nothing was uploaded and no deletion job was made.
 */
export class DatasetGroupBusyError extends DataDeletionError {
  readonly datasetGroupArn: string;
  /** Each resource in progress, with its ARN and status. */
  readonly busy: Activity[];
  /** How long the flow waited for the group to become idle (0 with `ifBusy: "fail"`). */
  readonly waitedMs: number;

  constructor(datasetGroupArn: string, busy: Activity[], waitedMs: number) {
    const waited = waitedMs > 0 ? ` after waiting ${Math.round(waitedMs / 1000)} s` : "";
    super(
      `${datasetGroupArn} is in use${waited}: ${describe(busy)}. AWS does not guarantee a deletion from models while data is imported or trained on; nothing was uploaded, no job made`,
    );
    this.datasetGroupArn = datasetGroupArn;
    this.busy = busy;
    this.waitedMs = waitedMs;
  }
}

/**
 * A stage of the erasure gave up waiting (a training, a campaign update). The resource goes on; running the
 * same erasure again carries on from where AWS shows it is.
 */
export class ErasureWaitTimeoutError extends DataDeletionError {
  /** `hold`: the retrain waited for other deletion jobs of the dataset group to end. */
  readonly stage: "retrain" | "campaign" | "hold";
  readonly resourceArn: string;
  readonly lastStatus: string | undefined;
  readonly elapsedMs: number;

  constructor(
    stage: "retrain" | "campaign" | "hold",
    resourceArn: string,
    lastStatus: string | undefined,
    elapsedMs: number,
  ) {
    super(
      `gave up waiting for ${resourceArn} after ${Math.round(elapsedMs / 1000)} s (last status ${lastStatus ?? "unknown"}); it goes on: run the same erasure again to carry on`,
    );
    this.stage = stage;
    this.resourceArn = resourceArn;
    this.lastStatus = lastStatus;
    this.elapsedMs = elapsedMs;
  }
}

/** A deletion job of the erasure FAILED. Its file is deleted already; `receipt` says what AWS shows. */
export class ErasureFailedError extends DataDeletionJobFailedError {
  readonly receipt: ErasureReceipt;

  constructor(job: DataDeletionJob, jobs: DeletionJobResult[], receipt: ErasureReceipt) {
    super(job, { jobs });
    this.receipt = receipt;
  }
}
