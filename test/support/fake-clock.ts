import { AbortError } from "../../src/index.ts";

/** Time that moves only when something sleeps; records every sleep. */
export function fakeClock(start = 1_700_000_000_000) {
  const sleeps: number[] = [];
  let now = start;
  return {
    sleeps,
    now: () => now,
    random: () => 0.5,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new AbortError(signal.reason);
      sleeps.push(ms);
      now += ms;
    },
  };
}
