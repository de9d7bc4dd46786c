// What a run did, as the library says it (its result, or its error's `partial`), and what the log flags
// about it: each FAILED job, a list that deleted nothing, and what the erasure leaves to do.
import * as core from "@actions/core";
import type { EraseUsersOutput, ErasureReceipt } from "../src/erasure/index.ts";
import { DataDeletionError, type DeletionJobResult } from "../src/index.ts";
import { carryOn, statusCommand } from "./explain.ts";
import type { ActionInputs } from "./inputs.ts";

/** The ids' figures: unknown until the list is prepared, and for a given data location. */
export interface Counts {
  userCount?: number;
  duplicateCount?: number;
}

/** The jobs made or adopted, the ids' figures and the receipt, as far as the run went. */
export interface Outcome {
  jobs: DeletionJobResult[];
  counts: Counts;
  receipt?: ErasureReceipt | undefined;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A finished run's outcome. */
export function outcomeOf(result: EraseUsersOutput, inputs: ActionInputs): Outcome {
  const counts =
    inputs.users.kind === "location"
      ? {}
      : { userCount: result.userCount, duplicateCount: result.duplicateCount };
  return { jobs: result.jobs, counts, receipt: result.receipt };
}

/** What a failed run had done, from its error's `partial` (nothing when it failed before doing anything). */
export function outcomeOfError(error: unknown): Outcome {
  const partial = error instanceof DataDeletionError ? error.partial : undefined;
  if (!partial) return { jobs: [], counts: {} };
  const { jobs, userCount, duplicateCount, receipt } = partial;
  return { jobs, counts: { userCount, duplicateCount }, receipt };
}

/** Warns of each FAILED job and of a list that deleted nothing; says what the erasure leaves to do. */
export function reportOutcome({ jobs, counts, receipt }: Outcome, inputs: ActionInputs): void {
  for (const job of jobs) {
    if (job.status === "FAILED")
      core.warning(
        `${job.jobName} FAILED (${job.failureReason})${job.uploadedFileDeleted ? "; its uploaded list was deleted" : `; its input is at ${job.dataLocation}`}`,
      );
  }
  // An id list that deleted nothing is most often a list of ids the dataset group never had.
  const deleted = jobs.reduce((n, j) => n + (j.numDeleted ?? 0), 0);
  if (
    inputs.users.kind !== "location" &&
    jobs.length > 0 &&
    jobs.every((j) => j.status === "COMPLETED") &&
    deleted === 0
  ) {
    core.warning(
      `the job COMPLETED but deleted 0 records for the ${plural(counts.userCount ?? 0, "user id")} given: check that they are ids of ${inputs.datasetGroupArn} (user-ids takes ids separated by newlines or commas)`,
      { title: "No records deleted" },
    );
  }
  if (!receipt) return;
  if (receipt.complete) {
    core.info(`Erasure ${receipt.jobName} is complete: nothing is left to do in Personalize or S3`);
    return;
  }
  // What is left, as one notice: the models hold the users until a retrain, a file could not be removed...
  core.notice(
    `Erasure ${receipt.jobName} is not complete (${receipt.stage}):\n${receipt.pending.map((p) => `- ${p}`).join("\n")}\n${carryOn(inputs, receipt.stage)}, or see where it stands with: ${statusCommand(inputs)}`,
    { title: "Erasure not complete" },
  );
}
