// The one polling loop, on a fake clock: pace, jitter, deadline, transient errors.
import { describe, expect, test } from "bun:test";
import { DEFAULT_WAIT_TIMEOUT_MS, poll } from "../../src/aws/poll.ts";
import { AbortError, NetworkError, ValidationError } from "../../src/index.ts";
import { fakeClock } from "../support/fake-clock.ts";

class Timeout extends Error {}

function looks<T>(steps: (T | undefined | Error)[]) {
  let n = 0;
  return async () => {
    const step = steps[Math.min(n++, steps.length - 1)];
    if (step instanceof Error) throw step;
    return step;
  };
}

describe("poll", () => {
  test("waits a tenth of the time waited so far, from the shortest delay to the longest, half of it jittered", async () => {
    const clock = fakeClock(0);
    const looked: number[] = [];
    const value = await poll(
      async () => {
        looked.push(clock.now());
        return looked.length === 40 ? "done" : undefined;
      },
      { minDelayMs: 1000, maxDelayMs: 4000, timedOut: () => new Timeout() },
      clock,
    );
    expect(value).toBe("done");
    // random() = 0.5: 3/4 of max(1000, min(4000, elapsed / 10)) after the look at `elapsed`.
    const delays = looked.slice(1).map((at, i) => at - (looked[i] as number));
    expect(delays.slice(0, 3)).toEqual([750, 750, 750]);
    looked.slice(0, -1).forEach((at, i) => {
      expect(delays[i]).toBeCloseTo(0.75 * Math.min(4000, Math.max(1000, at / 10)), 6);
    });
    // All three regimes were crossed: the floor, a tenth of the time waited, the cap.
    expect(delays.some((d) => d > 750 && d < 3000)).toBe(true);
    expect(delays.at(-1)).toBe(3000);
  });

  // Something that ends `endsAt` ms into the wait, on a clock whose jitter is `random`.
  async function seenAt(endsAt: number, pace: { minDelayMs: number; maxDelayMs: number }, random: number) {
    const clock = { ...fakeClock(0), random: () => random };
    await poll(
      async () => (clock.now() >= endsAt ? true : undefined),
      { ...pace, timedOut: () => new Timeout() },
      clock,
    );
    return clock.now();
  }

  test("sees an end within a tenth of the time it took (at least the shortest delay, at most the longest)", async () => {
    const job = { minDelayMs: 5_000, maxDelayMs: 60_000 };
    for (const random of [0, 0.5, 0.999]) {
      // A 50 s job is seen by 55 s; a 3 h one within the longest delay; a 2 s one within the shortest.
      expect(await seenAt(50_000, job, random)).toBeLessThanOrEqual(55_000);
      expect(await seenAt(3 * 3600_000, job, random)).toBeLessThanOrEqual(3 * 3600_000 + 60_000);
      expect(await seenAt(2_000, job, random)).toBeLessThanOrEqual(5_000);
      for (const endsAt of [7_000, 61_000, 333_000, 599_999, 601_000, 4_000_000]) {
        const bound = endsAt + Math.min(60_000, Math.max(5_000, endsAt / 10));
        expect(await seenAt(endsAt, job, random)).toBeLessThanOrEqual(bound);
      }
    }
    // The old rule (doubling from 5 s) saw a 50 s job at 78.75 s and, past an hour, up to 60 s late too:
    // the tenth rule is what makes the emulator's 5 s jobs end in seconds, not in backoff.
    expect(await seenAt(50_000, job, 0.5)).toBeLessThan(56_000);
  });

  test("speaks at every 30 s mark of a long wait, between looks too, and never sleeps past the deadline", async () => {
    const clock = fakeClock(0);
    const looked: number[] = [];
    const calls: [number, boolean][] = [];
    await expect(
      poll(
        async () => {
          looked.push(clock.now());
          return undefined;
        },
        {
          timeoutMs: 10 * 60_000,
          minDelayMs: 30_000,
          maxDelayMs: 300_000,
          onLook: (elapsed, _error, heartbeat) => calls.push([elapsed, heartbeat]),
          timedOut: () => new Timeout(),
        },
        clock,
      ),
    ).rejects.toBeInstanceOf(Timeout);
    const beats = calls.filter(([, heartbeat]) => heartbeat).map(([at]) => at);
    // Each mark once, at the mark, whether a look fell on it or not.
    expect(beats).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 30_000));
    // The room wait's pace holds: looks 22.5 s apart (3/4 of 30 s) for 5 min, then further apart (over 35 s by 9 min);
    // the marks between them are calls without a look.
    const gaps = looked.slice(1).map((at, i) => at - (looked[i] as number));
    expect(Math.min(...gaps)).toBe(22_500);
    expect(Math.max(...gaps)).toBeGreaterThan(35_000);
    expect(calls.length - looked.length).toBeGreaterThan(5);
    expect(clock.now()).toBe(10 * 60_000);
  });

  test("a look that outlasts a mark reports it, and the next mark is the one after", async () => {
    const clock = fakeClock(0);
    const calls: [number, boolean][] = [];
    let looks = 0;
    await poll(
      async () => {
        // The second look hangs 70 s (a slow network): it passes the 30 s and 60 s marks.
        if (++looks === 2) await clock.sleep(70_000);
        return looks === 5 ? "done" : undefined;
      },
      {
        minDelayMs: 5_000,
        maxDelayMs: 60_000,
        onLook: (elapsed, _error, heartbeat) => calls.push([Math.round(elapsed), heartbeat]),
        timedOut: () => new Timeout(),
      },
      clock,
    );
    // Looks at 0, 3.75 s (ends at 73.75 s: the 30 s and 60 s marks passed, one report), 79.3 s, 85.2 s and
    // 91.6 s; the 90 s mark falls between the last two.
    expect(calls).toEqual([
      [0, false],
      [73_750, true],
      [79_281, false],
      [85_227, false],
      [90_000, true],
      [91_619, false],
    ]);
  });

  test("reports each look with its elapsed time and any transient error, and waits that error out", async () => {
    const clock = fakeClock();
    const seen: [number, string | undefined][] = [];
    const value = await poll(
      looks<number>([undefined, new NetworkError("reset"), 7]),
      {
        minDelayMs: 1000,
        maxDelayMs: 1000,
        onLook: (elapsed, error) => seen.push([elapsed, error?.name]),
        timedOut: () => new Timeout(),
      },
      clock,
    );
    expect(value).toBe(7);
    expect(seen).toEqual([
      [0, undefined],
      [750, "NetworkError"],
      [1500, undefined],
    ]);
  });

  test("an error that is not transient ends the wait at once", async () => {
    const clock = fakeClock();
    const error = new ValidationError([{ path: "x", rule: "bad", received: "1" }]);
    await expect(
      poll(looks([error]), { minDelayMs: 1, maxDelayMs: 1, timedOut: () => new Timeout() }, clock),
    ).rejects.toBe(error);
    expect(clock.sleeps).toEqual([]);
  });

  test("never sleeps past the deadline, then throws what timedOut makes, with the elapsed time", async () => {
    const clock = fakeClock();
    let elapsedAtTimeout = -1;
    await expect(
      poll(
        looks([undefined]),
        {
          timeoutMs: 1000,
          minDelayMs: 400,
          maxDelayMs: 400,
          timedOut: (elapsed) => {
            elapsedAtTimeout = elapsed;
            return new Timeout();
          },
        },
        clock,
      ),
    ).rejects.toBeInstanceOf(Timeout);
    expect(clock.sleeps).toEqual([300, 300, 300, 100]);
    expect(elapsedAtTimeout).toBe(1000);
  });

  test("gives up after a day by default, and an AbortSignal stops it", async () => {
    const clock = fakeClock();
    await expect(
      poll(
        looks([undefined]),
        { minDelayMs: 3_600_000, maxDelayMs: 3_600_000, timedOut: () => new Timeout() },
        clock,
      ),
    ).rejects.toBeInstanceOf(Timeout);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(DEFAULT_WAIT_TIMEOUT_MS);
    const controller = new AbortController();
    controller.abort();
    await expect(
      poll(
        looks([undefined]),
        { minDelayMs: 1, maxDelayMs: 1, signal: controller.signal, timedOut: () => new Timeout() },
        fakeClock(),
      ),
    ).rejects.toBeInstanceOf(AbortError);
  });
});
