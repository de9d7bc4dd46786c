import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { globFiles } from "../../action/glob.ts";
import { defaultJobName, InputError, MAX_WAIT_MINUTES, readInputs } from "../../action/inputs.ts";
import { JobNameSchema, validate } from "../../src/index.ts";

describe("defaultJobName", () => {
  test("sanitizes the repository to the job name pattern and keeps the run part within 47 characters", () => {
    const cases = [
      { repository: "octo-org/shop", runId: 1, runAttempt: 1 },
      { repository: "_weird.org/ünïcode repo!!", runId: 123456789012, runAttempt: 3 },
      { repository: `${"a".repeat(80)}/${"b".repeat(80)}`, runId: 99999999999, runAttempt: 12 },
      { repository: undefined, runId: undefined, runAttempt: undefined },
    ];
    for (const context of cases) {
      const name = defaultJobName(context);
      expect(validate(JobNameSchema, name)).toBe(name);
      // Room for `-part-N` and then `-repeat-1`, the names the erasure derives from it.
      expect(name.length).toBeLessThanOrEqual(47);
      if (context.runId) expect(name.endsWith(`-${context.runId}`)).toBe(true);
    }
    // Every attempt of a run gets the same name, so re-running a timed-out step carries the erasure on.
    expect(defaultJobName({ repository: "octo-org/shop", runId: 5, runAttempt: 2 })).toBe("octo-org-shop-5");
    expect(defaultJobName({ repository: "octo-org/shop", runId: 5, runAttempt: 3 })).toBe("octo-org-shop-5");
  });
});

describe("readInputs", () => {
  const base = { "user-ids": "u1", "s3-uri": "s3://b/p/", "dataset-group-arn": "arn:x", "role-arn": "arn:y" };
  const read = (
    inputs: Record<string, string>,
    env: Record<string, string> = { AWS_REGION: "eu-west-1" },
  ) => {
    const warnings: string[] = [];
    const out = readInputs(
      (n) => inputs[n] ?? "",
      env,
      { repository: "o/r", runId: 1, runAttempt: 1 },
      (m) => warnings.push(m),
    );
    return { out, warnings };
  };
  test("defaults as action.yml declares them", () => {
    const { out } = read(base);
    expect(out).toMatchObject({
      wait: false,
      waitTimeoutMinutes: 340,
      pollIntervalSeconds: 60,
      failOnJobFailure: true,
      keepUploadedFile: false,
      region: "eu-west-1",
      ifBusy: "wait",
      repeatOnInterference: true,
      retrain: false,
      trainingMode: "FULL",
      updateCampaigns: true,
    });
    // A list is named once it is prepared (after the list's SHA-256); a data location after the run.
    expect(out.jobName).toBeUndefined();
    const located = read({
      "data-location": "s3://b/k.csv",
      "dataset-group-arn": "arn:x",
      "role-arn": "arn:y",
    });
    expect(located.out.jobName).toBe("o-r-1");
  });
  test("the wait timeout is capped at 355 minutes with a warning", () => {
    const { out, warnings } = read({ ...base, "wait-timeout-minutes": "600" });
    expect(out.waitTimeoutMinutes).toBe(MAX_WAIT_MINUTES);
    expect(warnings[0]).toContain("capped at 355");
  });
  test("tags as lines or JSON", () => {
    expect(read({ ...base, tags: "a=1\n b = two \n" }).out.tags).toEqual([
      { tagKey: "a", tagValue: "1" },
      { tagKey: "b", tagValue: "two" },
    ]);
    expect(read({ ...base, tags: '{"a":"1"}' }).out.tags).toEqual([{ tagKey: "a", tagValue: "1" }]);
    expect(() => read({ ...base, tags: '{"a":1}' })).toThrow(InputError);
  });
  test("booleans are YAML 1.2 only", () => {
    expect(read({ ...base, wait: "True" }).out.wait).toBe(true);
    for (const bad of ["yes", "on", "1", "tru"])
      expect(() => read({ ...base, wait: bad })).toThrow(/input wait: must be true or false/);
  });
  test("no region anywhere is an input error naming aws-region", () => {
    expect(() => read(base, {})).toThrow(/input aws-region/);
  });
});

describe("globFiles", () => {
  test("*, ** and ? within the workspace, sorted; literal paths", () => {
    const dir = mkdtempSync(join(tmpdir(), "pdd-glob-"));
    mkdirSync(join(dir, "data/2026/11"), { recursive: true });
    for (const f of ["data/a.csv", "data/b.txt", "data/2026/11/c.csv", "data/2026/d.csv"])
      writeFileSync(join(dir, f), "x");
    const rel = (paths: string[]) => paths.map((p) => p.slice(dir.length + 1));
    expect(rel(globFiles("data/*.csv", dir))).toEqual(["data/a.csv"]);
    expect(rel(globFiles("data/**/*.csv", dir))).toEqual([
      "data/2026/11/c.csv",
      "data/2026/d.csv",
      "data/a.csv",
    ]);
    expect(rel(globFiles("data/?.txt", dir))).toEqual(["data/b.txt"]);
    expect(rel(globFiles("data/b.txt", dir))).toEqual(["data/b.txt"]);
    expect(globFiles(`${dir}/data/*.csv`, "/nowhere")).toEqual([join(dir, "data/a.csv")]);
    expect(globFiles("nothing/*.csv", dir)).toEqual([]);
  });
});
