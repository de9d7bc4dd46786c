// The record of what the stage past Personalize's edge found: where it lives (never inside a folder a job
// reads), and when a later run may trust it (the same job's location, untouched by a job made since).
import { describe, expect, test } from "bun:test";
import {
  type OutsideRecord,
  outsideRecordLocation,
  withRecord,
} from "../../../src/erasure/stages/outside-record.ts";
import type { LocationReport } from "../../../src/outside/types.ts";

describe("outsideRecordLocation", () => {
  test("beside a list, beside a folder, at the bucket's root", () => {
    expect(outsideRecordLocation("s3://bkt/deletions/erase.csv", "erase")).toEqual({
      bucket: "bkt",
      key: "deletions/erase.outside.json",
    });
    expect(outsideRecordLocation("s3://bkt/windows/w1/", "window-w1")).toEqual({
      bucket: "bkt",
      key: "windows/window-w1.outside.json",
    });
    expect(outsideRecordLocation("s3://bkt/list.csv", "e")).toEqual({ bucket: "bkt", key: "e.outside.json" });
  });
});

const SCRUBBED: LocationReport = {
  kind: "batch-inference-output",
  location: "s3://data/out/",
  jobArn: "arn:aws:personalize:us-east-1:1:batch-inference-job/weekly",
  createdAt: "2026-12-01T00:00:00.000Z",
  state: "scrubbed",
  objects: [{ key: "out/a.out", noncurrent: false, bytes: 10, rows: 2, matching: 1, state: "scrubbed" }],
};
const RECORD: OutsideRecord = {
  checked: "scrubbed",
  checkedAt: "2026-12-02T00:00:00.000Z",
  locations: [SCRUBBED],
};
const found = (over: Partial<LocationReport>): LocationReport => ({
  kind: SCRUBBED.kind,
  location: SCRUBBED.location,
  jobArn: SCRUBBED.jobArn as string,
  createdAt: SCRUBBED.createdAt as string,
  state: "not-scanned",
  objects: [],
  ...over,
});

describe("withRecord", () => {
  test("the same job's location, made before the scrub: what the record found", () => {
    expect(withRecord(RECORD, [found({})]).locations).toEqual([SCRUBBED]);
  });

  test("another job writing to the same place, or the same job name made after the scrub: not scanned, with why", () => {
    for (const later of [
      found({ jobArn: "arn:aws:personalize:us-east-1:1:batch-inference-job/weekly-2" }),
      found({ createdAt: "2026-12-03T00:00:00.000Z" }),
    ]) {
      const [location] = withRecord(RECORD, [later]).locations;
      expect(location?.state).toBe("not-scanned");
      expect(location?.reason).toContain("after the scan of 2026-12-02T00:00:00.000Z");
    }
  });

  test("a location the record does not know stays as found", () => {
    const other = found({ location: "s3://data/new/", kind: "dataset-export" });
    expect(withRecord(RECORD, [other]).locations).toEqual([other]);
  });
});
