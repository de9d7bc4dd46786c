// biome-ignore-all assist/source/organizeImports: as in src/index.ts, the order of these exports is the order
// of the modules in a bundle, and gzip shrinks some orders better than others (bench/budget.json measures it).
// The complete erasure, its own entry (personalize-data-deletion/erasure): the root API and the erasure, so a
// program that only deletes never loads the erasure, and a Worker bundle that only makes jobs never carries it.
export * from "../index.ts";
export { ErasureClient } from "./client.ts";
export {
  type ContinueErasureInput,
  type ContinueErasureOutput,
  continueErasure,
  defaultErasureName,
  type EraseUsersEvent,
  type EraseUsersInput,
  type EraseUsersOutput,
  type ErasureChoices,
  IF_BUSY_CHOICES,
  TRAINING_MODES,
  type ErasureStatusInput,
  eraseUsers,
  erasureStatus,
  type RetrainOptions,
} from "./erase-users.ts";
export { DatasetGroupBusyError, ErasureFailedError, ErasureWaitTimeoutError } from "./errors.ts";
export { type ErasureApi, erasureApi } from "./api.ts";
export type { ErasureContext } from "./context.ts";
export type * from "./types.ts";
