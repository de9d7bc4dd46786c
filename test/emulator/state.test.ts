// The emulator's state on its own: the job clock, what a job reads and deletes, and snapshots.
import { describe, expect, test } from "bun:test";
import { parseSeed } from "../../src/emulator/personalize/input.ts";
import { EmulatorState } from "../../src/emulator/state.ts";
import type { StoredObject } from "../../src/emulator/state-types.ts";

const T0 = 1_800_000_000_000;
const encoder = new TextEncoder();

function world(jobSeconds = 30) {
  const state = new EmulatorState({
    region: "eu-west-1",
    accountId: "123456789012",
    jobSeconds,
    pendingLimit: 5,
    maxInputBytes: 64,
    trainingSeconds: 0,
    campaignSeconds: 0,
  });
  const dsg = state.datasetGroupArn("shop");
  state.datasetGroups.set(dsg, parseSeed("USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1\nu1,i2,2\nu2,i1,3\nu3,i3,4\n"));
  const bucket = new Map<string, StoredObject>();
  state.buckets.set("bkt", bucket);
  const put = (key: string, text: string) =>
    bucket.set(key, {
      body: encoder.encode(text),
      sha256: key,
      contentType: "text/csv",
      meta: {},
      lastModified: T0,
    });
  const job = (name: string, dataLocation: string) => {
    const arn = state.jobArn(name);
    state.jobs.set(arn, {
      seq: ++state.seq,
      jobName: name,
      dataDeletionJobArn: arn,
      datasetGroupArn: dsg,
      dataLocation,
      roleArn: "arn:aws:iam::123456789012:role/r",
      tags: [],
      status: "PENDING",
      createdAt: T0,
      updatedAt: T0,
    });
    return state.jobs.get(arn) as NonNullable<ReturnType<typeof state.jobs.get>>;
  };
  return { state, dsg, put, job };
}

describe("EmulatorState", () => {
  test("ARNs in the configured region and account", () => {
    const { state, dsg } = world();
    expect(dsg).toBe("arn:aws:personalize:eu-west-1:123456789012:dataset-group/shop");
    expect(state.jobArn("j")).toBe("arn:aws:personalize:eu-west-1:123456789012:data-deletion-job/j");
  });

  test("a job is PENDING for a third of its time, IN_PROGRESS, then COMPLETED having deleted its users", async () => {
    const { state, dsg, put, job } = world(30);
    put("d/list.csv", "USER_ID\nu1\nnobody\n");
    const j = job("j", "s3://bkt/d/list.csv");
    expect(state.pendingCount(dsg)).toBe(1);
    expect(await state.advance(T0 + 9_999)).toBe(false);
    expect(await state.advance(T0 + 10_000)).toBe(true);
    expect(j.status).toBe("IN_PROGRESS");
    expect(state.pendingCount(dsg)).toBe(0);
    expect(await state.advance(T0 + 30_000)).toBe(true);
    // numDeleted counts records: u1 had two interactions; "nobody" none.
    expect(j).toMatchObject({ status: "COMPLETED", numDeleted: 2, updatedAt: T0 + 30_000 });
    expect(state.users(dsg)).toEqual(["u2", "u3"]);
    expect(await state.advance(T0 + 60_000)).toBe(false);
  });

  test("a folder is read whole: every object under the prefix", async () => {
    const { state, dsg, put, job } = world(0);
    put("w/a.csv", "USER_ID\nu1\n");
    put("w/b.csv", "USER_ID\nu3\n");
    put("other.csv", "USER_ID\nu2\n");
    const j = job("j", "s3://bkt/w/");
    await state.advance(T0);
    expect(j).toMatchObject({ status: "COMPLETED", numDeleted: 3 });
    expect(state.users(dsg)).toEqual(["u2"]);
  });

  const failures: [string, string, string | undefined, RegExp][] = [
    ["a missing file", "s3://bkt/none.csv", undefined, /Input file not found/],
    ["a missing bucket", "s3://nope/x.csv", undefined, /bucket nope does not exist/],
    ["two columns", "s3://bkt/x.csv", "USER_ID,ITEM_ID\nu1,i1\n", /single USER_ID column/],
    ["another header", "s3://bkt/x.csv", "ID\nu1\n", /single USER_ID column/],
    ["over the size cap", "s3://bkt/x.csv", `USER_ID\n${"u".repeat(80)}\n`, /exceeds the limit of 64 bytes/],
  ];
  for (const [label, location, content, reason] of failures) {
    test(`FAILED with a reason, nobody deleted: ${label}`, async () => {
      const { state, dsg, put, job } = world(0);
      if (content !== undefined) put("x.csv", content);
      const j = job("j", location);
      await state.advance(T0);
      expect(j.status).toBe("FAILED");
      expect(j.failureReason).toMatch(reason);
      expect(state.users(dsg)).toEqual(["u1", "u2", "u3"]);
    });
  }

  test("a snapshot restores jobs, dataset groups and objects (bodies by SHA-256)", () => {
    const { state, dsg, put, job } = world();
    put("k.csv", "USER_ID\nu1\n");
    job("j", "s3://bkt/k.csv");
    const snapshot = JSON.parse(JSON.stringify(state.snapshot()));
    expect(JSON.stringify(snapshot)).not.toContain("USER_ID\\nu1");
    const restored = world().state;
    restored.restore(snapshot, (sha) =>
      sha === "k.csv" ? encoder.encode("USER_ID\nu1\n") : new Uint8Array(),
    );
    expect(restored.seq).toBe(state.seq);
    expect([...restored.jobs.keys()]).toEqual([...state.jobs.keys()]);
    expect(restored.users(dsg)).toEqual(["u1", "u2", "u3"]);
    expect(new TextDecoder().decode(restored.buckets.get("bkt")?.get("k.csv")?.body)).toBe("USER_ID\nu1\n");
  });

  test("parseSeed: a header is required, and rows need all three fields", () => {
    expect(() => parseSeed("u1,i1,1\n")).toThrow(/USER_ID, ITEM_ID and TIMESTAMP/);
    expect(() => parseSeed("USER_ID,ITEM_ID,TIMESTAMP\nu1,,x\n")).toThrow(/row 2/);
  });
});
