import { DataDeletionError } from "./errors.ts";

/** Time as the pollers see it; tests pass a fake one so nothing really sleeps. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

/** How long a wait may last by default: a deletion job can take up to a day. */
export const DEFAULT_WAIT_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** How often to look: the first delay, then doubled after each look, capped at the longest. */
export interface Pace {
  minDelayMs: number;
  maxDelayMs: number;
}

/** Options of {@link poll}. */
export interface PollOptions extends Pace {
  /** Give up after this long (default {@link DEFAULT_WAIT_TIMEOUT_MS}). */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** After every look, with a transient error when that look failed and the wait carries on. */
  onLook?: (elapsedMs: number, error?: DataDeletionError) => void;
  /** The error to throw once the time is up. */
  timedOut: (elapsedMs: number) => Error;
}

/**
 * The one polling loop: calls `look` until it returns a value, backing off from `minDelayMs` to `maxDelayMs`
 * with jitter (half the delay plus a random half), never sleeping past the deadline. Retryable errors
 * (throttling, 5xx, network, a restarting endpoint) are reported through `onLook` and waited out.
 */
export async function poll<T>(
  look: (signal?: AbortSignal) => Promise<T | undefined>,
  options: PollOptions,
  clock: Clock,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const started = clock.now();
  let delay = options.minDelayMs;
  for (;;) {
    let value: T | undefined;
    let transient: DataDeletionError | undefined;
    try {
      value = await look(options.signal);
    } catch (error) {
      if (!(error instanceof DataDeletionError && error.retryable)) throw error;
      transient = error;
    }
    const elapsedMs = clock.now() - started;
    options.onLook?.(elapsedMs, transient);
    if (value !== undefined) return value;
    const remaining = timeoutMs - elapsedMs;
    if (remaining <= 0) throw options.timedOut(elapsedMs);
    await clock.sleep(Math.min(delay / 2 + (clock.random() * delay) / 2, remaining), options.signal);
    delay = Math.min(options.maxDelayMs, delay * 2);
  }
}
