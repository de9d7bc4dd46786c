// The one polling loop, on a fake clock: pace, jitter, deadline, transient errors.
import { describe, expect, test } from "bun:test";
import { AbortError, NetworkError, ValidationError } from "../src/index.ts";
import { DEFAULT_WAIT_TIMEOUT_MS, poll } from "../src/poll.ts";
import { fakeClock } from "./support/fake-clock.ts";

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
  test("doubles the delay up to the cap, with half of it jittered, and returns the first value", async () => {
    const clock = fakeClock();
    const value = await poll(
      looks([undefined, undefined, undefined, undefined, "done"]),
      { minDelayMs: 100, maxDelayMs: 300, timedOut: () => new Timeout() },
      clock,
    );
    expect(value).toBe("done");
    // random() = 0.5: 3/4 of 100, 200, 300, 300.
    expect(clock.sleeps).toEqual([75, 150, 225, 225]);
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
