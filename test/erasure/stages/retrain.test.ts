// Names of the erasure's solution versions: deterministic, within the model's 63 characters, never shared.
import { expect, test } from "bun:test";
import { retrainName } from "../../../src/deletion/names.ts";
import { JobNameSchema, validate } from "../../../src/index.ts";

test("retrainName: NAME-retrain, or for a long name a prefix and a hash of the whole, always a valid name", () => {
  expect(retrainName("erase-2026-12")).toBe("erase-2026-12-retrain");
  const long = "a".repeat(60);
  const other = `${"a".repeat(59)}b`;
  for (const name of [long, other, "x".repeat(63), "ü-not-valid-but-hashed".repeat(3).slice(0, 63)]) {
    const derived = retrainName(name);
    expect(derived.length).toBeLessThanOrEqual(63);
    expect(derived.endsWith("-retrain")).toBe(true);
    if (/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(name)) expect(validate(JobNameSchema, derived)).toBe(derived);
  }
  expect(retrainName(long)).not.toBe(retrainName(other));
  expect(retrainName(long)).toBe(retrainName(long));
});
