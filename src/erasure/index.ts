// The complete erasure, its own entry (personalize-data-deletion/erasure): the root API and the erasure, so a
// program that only deletes never loads the erasure, and a Worker bundle that only makes jobs never carries it.

// Everything of the root entry.

export * from "../index.ts";

// The erasure: its client, and its three calls (erase, carry on, status) with their inputs and outputs.

export { ErasureClient } from "./client.ts";
export { DatasetGroupBusyError, ErasureFailedError, ErasureWaitTimeoutError } from "./errors.ts";
export {
  type ContinueErasureInput,
  type ContinueErasureOutput,
  continueErasure,
  defaultErasureName,
  type EraseUsersEvent,
  type EraseUsersInput,
  type EraseUsersOutput,
  type ErasureChoices,
  type ErasureStatusInput,
  eraseUsers,
  erasureStatus,
  IF_BUSY_CHOICES,
  type OutsideChoices,
  type OutsideEvent,
  type RetrainOptions,
  TRAINING_MODES,
} from "./run.ts";

// Its progress in words, for logs: what the CLI and the action say.

export { outsideLine, progressReporter, type Report, type ReportStage, STAGE_TITLES } from "./report.ts";

// The suppression list (the erased users as keyed hashes, for an application's has() and for the import
// guard) and the guard that reads a proposed import source against it.

export { type GuardImportOptions, type GuardImportReport, guardImport } from "../outside/guard.ts";
export {
  type AppendedSuppression,
  appendSuppression,
  type IdBytesSource,
  type SuppressionKey,
  SuppressionList,
  suppressionKeyBytes,
} from "../outside/suppression.ts";

// What it is built of: the erasure's Personalize operations, its context and the types of their answers.

export { type ErasureApi, erasureApi } from "./api.ts";
export type { ErasureContext } from "./context.ts";
export type * from "./types.ts";
