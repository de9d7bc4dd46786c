// The fault roller on its own: a seed replays the same faults, and each kind comes at about its rate.
import { expect, test } from "bun:test";
import { type Fault, faultRoller } from "../../src/emulator/faults.ts";

const roll = (options: Parameters<typeof faultRoller>[0], n: number) => {
  const next = faultRoller(options);
  return Array.from({ length: n }, () => next());
};

test("the same seed gives the same faults, another seed others", () => {
  const options = { failRate: 0.2, throttleRate: 0.2, resetRate: 0.1, dropResponseRate: 0.1 };
  expect(roll({ ...options, seed: 7 }, 200)).toEqual(roll({ ...options, seed: 7 }, 200));
  expect(roll({ ...options, seed: 7 }, 200)).not.toEqual(roll({ ...options, seed: 8 }, 200));
});

test("each kind comes at its rate, the rates add up, and no rate means no fault", () => {
  const n = 20_000;
  const rolled = roll(
    { failRate: 0.1, throttleRate: 0.2, resetRate: 0.05, dropResponseRate: 0.15, seed: 3 },
    n,
  );
  const share = (kind: Fault | undefined) => rolled.filter((k) => k === kind).length / n;
  // 20,000 rolls: a share is within 0.01 of its rate far beyond 3 standard deviations (at most 0.0035).
  expect(share("fail")).toBeCloseTo(0.1, 1);
  expect(Math.abs(share("fail") - 0.1)).toBeLessThan(0.01);
  expect(Math.abs(share("throttle") - 0.2)).toBeLessThan(0.01);
  expect(Math.abs(share("reset") - 0.05)).toBeLessThan(0.01);
  expect(Math.abs(share("drop") - 0.15)).toBeLessThan(0.01);
  expect(Math.abs(share(undefined) - 0.5)).toBeLessThan(0.01);
  expect(roll({}, 1000).every((k) => k === undefined)).toBe(true);
  expect(roll({ failRate: 1 }, 1000).every((k) => k === "fail")).toBe(true);
});
