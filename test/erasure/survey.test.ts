// Which imports and trainings void a deletion's guarantee, and what is busy now: pure functions of a survey.
import { describe, expect, test } from "bun:test";
import { busyNow, ranDuring, type Survey } from "../../src/erasure/survey.ts";
import type { Activity } from "../../src/erasure/types.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 12, minute)).toISOString();
const imp = (arn: string, status: string, from: number, to?: number): Activity => ({
  kind: "dataset-import-job",
  arn,
  status,
  createdAt: at(from),
  ...(to === undefined ? {} : { lastUpdatedAt: at(to) }),
});
const survey = (imports: Activity[], versions: Survey["solutions"][number]["versions"] = []): Survey => ({
  imports,
  solutions: [{ solution: { solutionArn: "arn:aws:personalize:us-east-1:1:solution/s" }, versions }],
  batchJobs: [{ kind: "batch-inference-job", arn: "arn:b", status: "IN PROGRESS" }],
  recommenders: [],
});

describe("ranDuring (the job ran from minute 10 to minute 20)", () => {
  const from = new Date(at(10));
  const to = new Date(at(20));
  test("an import overlapping the job counts, whichever end overlaps; one wholly before or after does not", () => {
    const s = survey([
      imp("before", "ACTIVE", 0, 9),
      imp("spans-start", "ACTIVE", 5, 12),
      imp("inside", "ACTIVE", 12, 15),
      imp("spans-end", "ACTIVE", 18, 30),
      imp("still-running", "CREATE IN_PROGRESS", 2, 3),
      imp("after", "CREATE PENDING", 21),
    ]);
    expect(ranDuring(s, from, to, new Set()).map((a) => a.arn)).toEqual([
      "spans-start",
      "inside",
      "spans-end",
      "still-running",
    ]);
  });
  test("trainings count as imports do; the ones excepted do not", () => {
    const s = survey(
      [],
      [
        {
          solutionVersionArn: "v-during",
          status: "ACTIVE",
          creationDateTime: new Date(at(11)),
          lastUpdatedDateTime: new Date(at(40)),
        },
        {
          solutionVersionArn: "v-old",
          status: "ACTIVE",
          creationDateTime: new Date(at(0)),
          lastUpdatedDateTime: new Date(at(1)),
        },
      ],
    );
    expect(ranDuring(s, from, to, new Set()).map((a) => [a.kind, a.arn])).toEqual([
      ["solution-version", "v-during"],
    ]);
    expect(ranDuring(s, from, to, new Set(["v-during"]))).toEqual([]);
  });
});

test("busyNow: imports, trainings and batch jobs in progress, by their status words", () => {
  const s = survey(
    [imp("i1", "CREATE PENDING", 0), imp("i2", "ACTIVE", 0, 1), imp("i3", "CREATE FAILED", 0, 1)],
    [{ solutionVersionArn: "v1", status: "CREATE STOPPING" }],
  );
  expect(busyNow(s).map((a) => a.arn)).toEqual(["i1", "v1", "arn:b"]);
});
