import type { DataDeletionError } from "./errors.ts";
import { DataDeletionJobFailedError, WaiterTimeoutError } from "./errors.ts";
import { type Clock, poll } from "./poll.ts";
import type { DataDeletionJob, DataDeletionJobStatus } from "./types.ts";

export type { Clock } from "./poll.ts";

/** One poll's news, for progress displays. */
export interface PollEvent {
  status: DataDeletionJobStatus | undefined;
  elapsedMs: number;
  job: DataDeletionJob | undefined;
  /** Set when this poll failed with a transient error and the waiter carries on. */
  error?: DataDeletionError;
}

/** Options of `waitForDataDeletionJob`. */
export interface WaitOptions {
  /** Give up after this long (default 24 h: a deletion job can take up to a day). */
  timeoutMs?: number;
  /** First delay between polls (default 5 s, or `maxDelayMs` when that is shorter). */
  minDelayMs?: number;
  /** Longest delay between polls (default 60 s). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called after every poll. */
  onPoll?: (event: PollEvent) => void;
}

const JOB_MIN_DELAY_MS = 5_000;
const JOB_MAX_DELAY_MS = 60_000;

/**
 * Polls `describe` until the job is COMPLETED (resolves with it) or FAILED (throws
 * {@link DataDeletionJobFailedError}), backing off from `minDelayMs` to `maxDelayMs` with jitter. Transient
 * errors are reported through `onPoll` and waited out.
 */
export async function pollJob(
  dataDeletionJobArn: string,
  describe: (signal?: AbortSignal) => Promise<DataDeletionJob | undefined>,
  options: WaitOptions,
  clock: Clock,
): Promise<DataDeletionJob> {
  const maxDelayMs = options.maxDelayMs ?? JOB_MAX_DELAY_MS;
  let latest: DataDeletionJob | undefined;
  let status: DataDeletionJobStatus | undefined;
  const job = await poll(
    async (signal) => {
      latest = await describe(signal);
      status = latest?.status ?? status;
      return status === "COMPLETED" || status === "FAILED" ? latest : undefined;
    },
    {
      timeoutMs: options.timeoutMs,
      minDelayMs: options.minDelayMs ?? Math.min(JOB_MIN_DELAY_MS, maxDelayMs),
      maxDelayMs,
      signal: options.signal,
      onLook: (elapsedMs, error) =>
        options.onPoll?.({ status, elapsedMs, job: error ? undefined : latest, ...(error && { error }) }),
      timedOut: (elapsedMs) => new WaiterTimeoutError(dataDeletionJobArn, status, elapsedMs),
    },
    clock,
  );
  if (job.status === "FAILED") throw new DataDeletionJobFailedError(job);
  return job;
}
