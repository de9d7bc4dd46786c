import { DatasetGroupBusyError, ErasureWaitTimeoutError } from "../erasure/index.ts";
import {
  ConfigurationError,
  ConflictError,
  CsvError,
  DataDeletionJobFailedError,
  RoomTimeoutError,
  ValidationError,
  WaiterTimeoutError,
} from "../index.ts";
import { UsageError } from "./options.ts";

/** Exit codes, as documented in --help and the README. */
export const EXIT = {
  ok: 0,
  jobFailed: 1,
  usage: 2,
  service: 3,
  timeout: 4,
  busy: 5,
  /** guard-import: the import source holds suppressed users, or could not be read whole. */
  suppressed: 6,
} as const;

/** The exit code an error ends the CLI with. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof DataDeletionJobFailedError) return EXIT.jobFailed;
  if (error instanceof DatasetGroupBusyError) return EXIT.busy;
  if (
    error instanceof WaiterTimeoutError ||
    error instanceof RoomTimeoutError ||
    error instanceof ErasureWaitTimeoutError
  ) {
    return EXIT.timeout;
  }
  if (
    error instanceof ValidationError ||
    // A name or key already used for something else: the caller's choice to change, like a bad flag.
    error instanceof ConflictError ||
    error instanceof CsvError ||
    error instanceof ConfigurationError ||
    error instanceof UsageError
  ) {
    return EXIT.usage;
  }
  return EXIT.service;
}
