// Seeded misbehaviour for reliability tests: one roll per request decides its fault, so the rates add up
// and a seed replays the same sequence.

/** Fractions of requests that misbehave, for reliability tests; deterministic for a given `seed`. */
export interface FaultOptions {
  /** 500/503 answers. */
  failRate?: number;
  /** 400 ThrottlingException (Personalize) or 503 SlowDown (S3). */
  throttleRate?: number;
  /** The connection is dropped before the request is handled. */
  resetRate?: number;
  /** The request takes effect, then the connection is dropped: the lost-response case. */
  dropResponseRate?: number;
  /** Added delay per request. */
  latencyMs?: number;
  seed?: number;
}

export type Fault = "reset" | "fail" | "throttle" | "drop";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A function that rolls the next request's fault (or none). */
export function faultRoller(faults: FaultOptions): () => Fault | undefined {
  const random = mulberry32(faults.seed ?? 1);
  const table = [
    ["reset", faults.resetRate],
    ["fail", faults.failRate],
    ["throttle", faults.throttleRate],
    ["drop", faults.dropResponseRate],
  ] as const;
  return () => {
    const roll = random();
    let edge = 0;
    for (const [kind, rate] of table) {
      edge += rate ?? 0;
      if (roll < edge) return kind;
    }
    return undefined;
  };
}
