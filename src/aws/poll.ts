import { DataDeletionError } from "../errors.ts";

/** Time as the pollers see it; tests pass a fake one so nothing really sleeps. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

/** How long a wait may last by default: a deletion job can take up to a day. */
export const DEFAULT_WAIT_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * The longest a wait stays silent: {@link poll} reports at least this often (at 30 s, 1 min, 1 min 30 s… of
 * the wait), even when its looks are further apart and nothing changed.
 */
export const HEARTBEAT_MS = 30_000;

/**
 * How often to look: a tenth of the time waited so far, at least `minDelayMs` and at most `maxDelayMs`
 * (with jitter), so that whatever is awaited is seen within about a tenth of the time it took.
 */
export interface Pace {
  minDelayMs: number;
  maxDelayMs: number;
}

/** Options of {@link poll}. */
export interface PollOptions extends Pace {
  /** Give up after this long (default {@link DEFAULT_WAIT_TIMEOUT_MS}). */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /**
   * After every look, with a transient error when that look failed and the wait carries on; and, between
   * looks, on each {@link HEARTBEAT_MS} mark of the wait. `heartbeat` is true on every call that reaches
   * such a mark (a call between looks, or a look that reached one): a display that shows only changes
   * shows these too, so that the wait is never silent for longer.
   */
  onLook?: (elapsedMs: number, error: DataDeletionError | undefined, heartbeat: boolean) => void;
  /** The error to throw once the time is up. */
  timedOut: (elapsedMs: number) => Error;
}

// The share of the time waited so far that the next look waits: a tenth.
const PACE_SHARE = 10;

/**
 * The one polling loop: calls `look` until it returns a value, waiting between looks a tenth of the time
 * waited so far (from `minDelayMs` up to `maxDelayMs`; half of each delay jittered, so never longer),
 * never sleeping past the deadline. Between looks it sleeps in slices so that `onLook` hears from the wait
 * at every {@link HEARTBEAT_MS} mark. Retryable errors (throttling, 5xx, network, a restarting endpoint)
 * are reported through `onLook` and waited out.
 */
export async function poll<T>(
  look: (signal?: AbortSignal) => Promise<T | undefined>,
  options: PollOptions,
  clock: Clock,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const started = clock.now();
  const elapsed = () => clock.now() - started;
  let nextBeat = HEARTBEAT_MS;
  // Whether the wait has reached its next mark; if so, the mark after it (a slow look may pass several).
  const beat = (elapsedMs: number) => {
    if (elapsedMs < nextBeat) return false;
    nextBeat = (Math.floor(elapsedMs / HEARTBEAT_MS) + 1) * HEARTBEAT_MS;
    return true;
  };
  for (;;) {
    let value: T | undefined;
    let transient: DataDeletionError | undefined;
    try {
      value = await look(options.signal);
    } catch (error) {
      if (!(error instanceof DataDeletionError && error.retryable)) throw error;
      transient = error;
    }
    const elapsedMs = elapsed();
    options.onLook?.(elapsedMs, transient, beat(elapsedMs));
    if (value !== undefined) return value;
    const remaining = timeoutMs - elapsedMs;
    if (remaining <= 0) throw options.timedOut(elapsedMs);
    const delay = Math.min(options.maxDelayMs, Math.max(options.minDelayMs, elapsedMs / PACE_SHARE));
    let left = Math.min(delay / 2 + (clock.random() * delay) / 2, remaining);
    // A mark that falls exactly on the next look is that look's to report.
    while (nextBeat - elapsed() < left) {
      const slice = Math.max(0, nextBeat - elapsed());
      await clock.sleep(slice, options.signal);
      left -= slice;
      const at = elapsed();
      if (beat(at)) options.onLook?.(at, undefined, true);
    }
    if (left > 0) await clock.sleep(left, options.signal);
  }
}
