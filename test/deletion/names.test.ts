import { describe, expect, test } from "bun:test";
import {
  fitName,
  JOB_NAME_MAX,
  LIST_COUNT_TAG,
  LIST_SHA256_TAG,
  listOfTags,
  listTags,
  nameForList,
  partName,
  repeatName,
  retrainName,
} from "../../src/deletion/names.ts";
import { JobNameSchema, validate } from "../../src/index.ts";

// Every name the library derives must pass the model's own rule for job and version names.
const valid = (name: string) => validate(JobNameSchema, name, "test");

describe("job names", () => {
  test("a name for a list follows its SHA-256; the longest prefix still leaves room for part and repeat", () => {
    const sha = "0123456789abcdef".repeat(4);
    expect(nameForList("octo-org/shop", { sha256: sha })).toBe("octo-org-shop-0123456789abcdef");
    const long = nameForList("x".repeat(200), { sha256: sha });
    expect(repeatName(partName(long, 99)).length).toBeLessThanOrEqual(JOB_NAME_MAX);
    valid(repeatName(partName(long, 99)));
  });

  test("fitName keeps the service's pattern, whatever the prefix", () => {
    for (const prefix of ["--weird//repo__", "日本", "", "a.b.c", "-"]) {
      const name = fitName(prefix, "-123", "run");
      valid(name);
      expect(name.endsWith("-123")).toBe(true);
    }
    expect(fitName("日本", "-123", "run")).toBe("run-123");
  });

  test("retrain names fit 63 characters; two long job names never share one", () => {
    expect(retrainName("e")).toBe("e-retrain");
    const a = retrainName(`${"a".repeat(60)}1`);
    const b = retrainName(`${"a".repeat(60)}2`);
    expect(a.length).toBe(JOB_NAME_MAX);
    expect(a).not.toBe(b);
    valid(a);
  });

  test("list tags round-trip, and a count that is not a number is left out", () => {
    expect(listOfTags(listTags("ab", 3))).toEqual({ sha256: "ab", userCount: 3 });
    expect(
      listOfTags([
        { tagKey: LIST_SHA256_TAG, tagValue: "cd" },
        { tagKey: LIST_COUNT_TAG, tagValue: "3 users" },
      ]),
    ).toEqual({ sha256: "cd" });
    expect(listOfTags(undefined)).toEqual({});
  });
});
