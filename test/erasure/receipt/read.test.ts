// The receipt's reading of AWS state (src/erasure/receipt/read.ts). inspectErasure as a whole is proven
// through the erasure's runs against the emulator (test/erasure/run.test.ts, test/cli/erasure.test.ts) and
// its judgement in judge.test.ts; here, which jobs make up an erasure, with a scripted finder that records
// every name asked for.
import { describe, expect, test } from "bun:test";
import { findErasureJobs } from "../../../src/erasure/receipt/read.ts";
import type { DataDeletionJob } from "../../../src/model/types.ts";

const DSG = "arn:aws:personalize:us-east-1:000000000000:dataset-group/shop";

function finder(existing: string[]) {
  const asked: string[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  return {
    asked,
    signals,
    async findJobByName(datasetGroupArn: string, jobName: string, signal?: AbortSignal) {
      expect(datasetGroupArn).toBe(DSG);
      asked.push(jobName);
      signals.push(signal);
      return existing.includes(jobName) ? ({ jobName, status: "COMPLETED" } as DataDeletionJob) : undefined;
    },
  };
}

const names = (found: [string, DataDeletionJob | undefined][]) =>
  found.map(([name, job]) => [name, job?.jobName ?? null]);

describe("findErasureJobs", () => {
  test("the whole name when it exists, and no part is looked for", async () => {
    const jobs = finder(["erase", "erase-part-1"]);
    expect(names(await findErasureJobs(jobs, { datasetGroupArn: DSG, jobName: "erase" }))).toEqual([
      ["erase", "erase"],
    ]);
    expect(jobs.asked).toEqual(["erase"]);
  });

  test("else -part-1, -part-2... as far as they exist, stopping at the first missing", async () => {
    const jobs = finder(["erase-part-1", "erase-part-2", "erase-part-3", "erase-part-5"]);
    expect(names(await findErasureJobs(jobs, { datasetGroupArn: DSG, jobName: "erase" }))).toEqual([
      ["erase-part-1", "erase-part-1"],
      ["erase-part-2", "erase-part-2"],
      ["erase-part-3", "erase-part-3"],
    ]);
    expect(jobs.asked).toEqual(["erase", "erase-part-1", "erase-part-2", "erase-part-3", "erase-part-4"]);
  });

  test("none: the name alone, with no job, so the receipt says it has not started", async () => {
    const jobs = finder(["other", "erase-part-2"]);
    expect(names(await findErasureJobs(jobs, { datasetGroupArn: DSG, jobName: "erase" }))).toEqual([
      ["erase", null],
    ]);
    expect(jobs.asked).toEqual(["erase", "erase-part-1"]);
  });

  test("given jobNames are the jobs, each looked up once, a missing one kept as missing", async () => {
    const jobs = finder(["erase", "a", "c"]);
    const signal = new AbortController().signal;
    const found = await findErasureJobs(jobs, {
      datasetGroupArn: DSG,
      jobName: "erase",
      jobNames: ["a", "b", "c"],
      signal,
    });
    expect(names(found)).toEqual([
      ["a", "a"],
      ["b", null],
      ["c", "c"],
    ]);
    expect(jobs.asked.sort()).toEqual(["a", "b", "c"]);
    expect(jobs.signals.every((s) => s === signal)).toBe(true);
  });
});
