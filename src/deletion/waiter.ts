import { type Clock, type HEARTBEAT_MS, poll } from "../aws/poll.ts";
import type { DataDeletionError } from "../errors.ts";
import { DataDeletionJobFailedError, WaiterTimeoutError } from "../errors.ts";
import type { DataDeletionJob, DataDeletionJobStatus } from "../model/types.ts";

export type { Clock } from "../aws/poll.ts";

/**
 * One poll's news, for progress displays. `onPoll` hears from the wait after every look at the job and, however
 * far apart the looks are, at least every 30 s of the wait ({@link HEARTBEAT_MS}: at 30 s, 1 min, 1 min 30 s…). A
 * call that reaches such a mark has `heartbeat: true`, whether it follows a look or falls between two: a
 * display that shows only changes shows these too ("still PENDING after 2m10s"), so that a wait of hours is
 * never silent for longer than that.
 */
export interface PollEvent {
  /** The status last seen (a heartbeat between looks repeats it). */
  status: DataDeletionJobStatus | undefined;
  elapsedMs: number;
  /** The job as last seen; `undefined` when this look failed. */
  job: DataDeletionJob | undefined;
  /** Set when this poll failed with a transient error and the waiter carries on. */
  error?: DataDeletionError;
  /** True on the call that reaches a 30 s mark of the wait: report it even if nothing changed. */
  heartbeat?: boolean;
}

/** Options of `waitForDataDeletionJob`. */
export interface WaitOptions {
  /** Give up after this long (default 24 h: a deletion job can take up to a day). */
  timeoutMs?: number;
  /**
   * Shortest delay between polls (default 5 s, or `maxDelayMs` when that is shorter); past it, a poll waits
   * a tenth of the time waited so far, so a job is seen ended within about a tenth of the time it ran.
   */
  minDelayMs?: number;
  /** Longest delay between polls (default 60 s). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called after every poll, and at least every 30 s of the wait (see {@link PollEvent}). */
  onPoll?: (event: PollEvent) => void;
}

const JOB_MIN_DELAY_MS = 5_000;
const JOB_MAX_DELAY_MS = 60_000;

/**
 * Polls `describe` until the job is COMPLETED (resolves with it) or FAILED (throws
 * {@link DataDeletionJobFailedError}), looking a tenth of the time waited so far after the last look (from
 * `minDelayMs` to `maxDelayMs`, with jitter). Transient errors are reported through `onPoll` and waited out.
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
      onLook: (elapsedMs, error, heartbeat) =>
        options.onPoll?.({
          status,
          elapsedMs,
          job: error ? undefined : latest,
          ...(error && { error }),
          heartbeat,
        }),
      timedOut: (elapsedMs) => new WaiterTimeoutError(dataDeletionJobArn, status, elapsedMs),
    },
    clock,
  );
  if (job.status === "FAILED") throw new DataDeletionJobFailedError(job);
  return job;
}
