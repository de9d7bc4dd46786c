import { describe, expect, test } from "bun:test";
import { planParts, uniqueSuffix } from "../../src/deletion/upload-plan.ts";
import { parseS3Uri } from "../../src/index.ts";

const plan = (uri: string, count: number, stem = "erase-1") =>
  planParts(parseS3Uri(uri), count, stem).map((p) => [p.key, p.dataLocation, p.jobName]);

describe("planParts", () => {
  test("under a prefix: one file is STEM.csv, parts are STEM-part-N.csv, job names alike", () => {
    expect(plan("s3://bkt/deletions/", 1)).toEqual([
      ["deletions/erase-1.csv", "s3://bkt/deletions/erase-1.csv", "erase-1"],
    ]);
    expect(plan("s3://bkt/", 2)).toEqual([
      ["erase-1-part-1.csv", "s3://bkt/erase-1-part-1.csv", "erase-1-part-1"],
      ["erase-1-part-2.csv", "s3://bkt/erase-1-part-2.csv", "erase-1-part-2"],
    ]);
  });
  test("a key is kept for one file; parts insert -part-N before .csv (any case) or append it", () => {
    expect(plan("s3://bkt/d/list.txt", 1)).toEqual([["d/list.txt", "s3://bkt/d/list.txt", "erase-1"]]);
    expect(plan("s3://bkt/d/list.CSV", 2).map((p) => p[0])).toEqual([
      "d/list-part-1.csv",
      "d/list-part-2.csv",
    ]);
    expect(plan("s3://bkt/d/list", 2).map((p) => p[0])).toEqual(["d/list-part-1.csv", "d/list-part-2.csv"]);
  });
});

test("uniqueSuffix: UTC time to the second and six base-36 characters", () => {
  const clock = { now: () => Date.UTC(2026, 11, 1, 9, 5, 7, 999), random: () => 0.5 };
  expect(uniqueSuffix(clock)).toBe(`20261201T090507Z-${Math.floor(0.5 * 36 ** 6).toString(36)}`);
  expect(uniqueSuffix({ now: clock.now, random: () => 0 })).toBe("20261201T090507Z-000000");
});
