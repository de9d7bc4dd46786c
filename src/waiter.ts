import { DataDeletionError, DataDeletionJobFailedError, WaiterTimeoutError } from "./errors.ts";
import type { DataDeletionJob, DataDeletionJobStatus } from "./types.ts";

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
  /** First delay between polls (default 5 s). */
  minDelayMs?: number;
  /** Longest delay between polls (default 60 s). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called after every poll. */
  onPoll?: (event: PollEvent) => void;
}

/** Time as the waiter sees it; tests pass a fake one so nothing really sleeps. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

/**
 * Polls `describe` until the job is COMPLETED (resolves with it) or FAILED (throws
 * {@link DataDeletionJobFailedError}), backing off from `minDelayMs` to `maxDelayMs` with jitter. Transient
 * errors (throttling, 5xx, network, a restarting endpoint) are reported through `onPoll` and waited out.
 */
export async function pollJob(
  dataDeletionJobArn: string,
  describe: (signal?: AbortSignal) => Promise<DataDeletionJob | undefined>,
  options: WaitOptions,
  clock: Clock,
): Promise<DataDeletionJob> {
  const timeoutMs = options.timeoutMs ?? 24 * 60 * 60 * 1000;
  const minDelay = options.minDelayMs ?? 5_000;
  const maxDelay = Math.max(minDelay, options.maxDelayMs ?? 60_000);
  const started = clock.now();
  let delay = minDelay;
  let lastStatus: DataDeletionJobStatus | undefined;
  for (;;) {
    let job: DataDeletionJob | undefined;
    let transient: DataDeletionError | undefined;
    try {
      job = await describe(options.signal);
    } catch (error) {
      if (!(error instanceof DataDeletionError && error.retryable)) throw error;
      transient = error;
    }
    const elapsedMs = clock.now() - started;
    if (job) lastStatus = job.status;
    options.onPoll?.({ status: lastStatus, elapsedMs, job, ...(transient ? { error: transient } : {}) });
    if (job?.status === "COMPLETED") return job;
    if (job?.status === "FAILED") throw new DataDeletionJobFailedError(job);
    const remaining = timeoutMs - elapsedMs;
    if (remaining <= 0) throw new WaiterTimeoutError(dataDeletionJobArn, lastStatus, elapsedMs);
    const jittered = delay / 2 + (clock.random() * delay) / 2;
    await clock.sleep(Math.min(jittered, remaining), options.signal);
    delay = Math.min(maxDelay, delay * 2);
  }
}
