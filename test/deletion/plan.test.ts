// Stage 1 of the deletion flow (src/deletion/plan.ts): each part's request carries the tags of its own file
// (SHA-256 computed here with node:crypto), a derived name sees the list's digest and never an id, and
// every refusal comes before the ids are prepared or anything is sent (the client's fetch throws if used).
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import type { DeleteUsersInput, FlowContext } from "../../src/deletion/context.ts";
import type { PreparedDeletionFile } from "../../src/deletion/file.ts";
import { LIST_COUNT_TAG, LIST_SHA256_TAG, type ListDigest } from "../../src/deletion/names.ts";
import { planDeletion } from "../../src/deletion/plan.ts";
import { ConfigurationError, DataDeletionClient, ValidationError } from "../../src/index.ts";

const DSG = "arn:aws:personalize:us-east-1:000000000000:dataset-group/shop";
const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

function context(): FlowContext {
  const client = new DataDeletionClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDPLAN", secretAccessKey: "plan-secret" },
    useEnvironment: false,
    clock: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5), random: () => 0.5 },
    fetch: async () => {
      throw new Error("the plan sent a request");
    },
  });
  return { jobs: client, s3: client.s3 };
}

const base = (more: Partial<DeleteUsersInput>): DeleteUsersInput => ({
  s3Uri: "s3://bucket/erasures/",
  datasetGroupArn: DSG,
  roleArn: ROLE,
  ...more,
});

// A users input that fails the test if the plan ever prepares it.
const mustNotPrepare = async (): Promise<PreparedDeletionFile> => {
  throw new Error("called");
};

describe("planDeletion", () => {
  test("each part's request is tagged with its own file's SHA-256 and count, after the caller's tags", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `user-${String(i).padStart(3, "0")}`);
    const plan = await planDeletion(
      context(),
      base({
        users: ids,
        jobName: "monthly",
        maxFileBytes: 100,
        tags: [{ tagKey: "team", tagValue: "data" }],
      }),
    );
    expect(plan.parts.length).toBeGreaterThan(2);
    expect(plan.bucket).toBe("bucket");
    let total = 0;
    for (const [i, part] of plan.parts.entries()) {
      const text = new TextDecoder().decode(part.body);
      const count = text.split("\n").length - 2;
      total += count;
      expect(part.jobName).toBe(`monthly-part-${i + 1}`);
      expect(part.request).toEqual({
        jobName: `monthly-part-${i + 1}`,
        datasetGroupArn: DSG,
        roleArn: ROLE,
        dataSource: { dataLocation: `s3://bucket/erasures/monthly-part-${i + 1}.csv` },
        tags: [
          { tagKey: "team", tagValue: "data" },
          { tagKey: LIST_SHA256_TAG, tagValue: sha(part.body as Uint8Array) },
          { tagKey: LIST_COUNT_TAG, tagValue: String(count) },
        ],
      });
      expect([part.sha256, part.userCount]).toEqual([sha(part.body as Uint8Array), count]);
    }
    expect(total).toBe(30);
  });

  test("a jobName function is called once with the list's digest and count, never an id", async () => {
    const seen: unknown[] = [];
    const name = (list: ListDigest) => {
      seen.push(list);
      return `derived-${list.sha256.slice(0, 8)}`;
    };
    const one = await planDeletion(
      context(),
      base({ users: ["secret-a", "secret-b", "secret-a"], jobName: name }),
    );
    expect(seen).toEqual([{ sha256: sha("USER_ID\nsecret-a\nsecret-b\n"), userCount: 2 }]);
    expect(one.jobName).toBe(`derived-${sha("USER_ID\nsecret-a\nsecret-b\n").slice(0, 8)}`);
    expect(JSON.stringify(seen)).not.toContain("secret");

    // Split: the digest of the files' digests in order, one per line.
    seen.length = 0;
    const ids = Array.from({ length: 20 }, (_, i) => `secret-${i}`);
    const split = await planDeletion(context(), base({ users: ids, jobName: name, maxFileBytes: 64 }));
    const digests = split.prepared.files.map((f) => sha(f));
    expect(digests.length).toBeGreaterThan(1);
    expect(seen).toEqual([{ sha256: sha(digests.join("\n")), userCount: 20 }]);
    expect(split.parts[0]?.jobName).toBe(`derived-${sha(digests.join("\n")).slice(0, 8)}-part-1`);
  });

  test("a data location is taken literally: . and .. segments refused, naming dataLocation", async () => {
    for (const dataLocation of ["s3://bucket/a/../b.csv", "s3://bucket/./b.csv", "s3://bucket/.."]) {
      const error = await planDeletion(context(), {
        datasetGroupArn: DSG,
        roleArn: ROLE,
        dataLocation,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toBe("dataLocation");
      expect((error as ValidationError).issues[0]?.rule).toMatch(/must not contain \. or \.\. path segments/);
    }
    const plan = await planDeletion(context(), {
      datasetGroupArn: DSG,
      roleArn: ROLE,
      dataLocation: "s3://bucket/given/ids.csv",
      jobName: "given",
    });
    expect(plan.parts.map((p) => [p.jobName, p.request.dataSource.dataLocation, p.body])).toEqual([
      ["given", "s3://bucket/given/ids.csv", undefined],
    ]);
    expect(plan.bucket).toBeUndefined();
  });

  test("the region and the request are checked before the users function is called", async () => {
    const region = await planDeletion(
      context(),
      base({
        users: mustNotPrepare,
        datasetGroupArn: "arn:aws:personalize:eu-west-1:000000000000:dataset-group/shop",
      }),
    ).catch((e: unknown) => e);
    expect(region).toBeInstanceOf(ConfigurationError);
    expect(String((region as Error).message)).toContain("`datasetGroupArn` is in eu-west-1");
    const role = await planDeletion(
      context(),
      base({ users: mustNotPrepare, roleArn: "PersonalizeRole" }),
    ).catch((e: unknown) => e);
    expect(role).toBeInstanceOf(ValidationError);
    expect((role as ValidationError).issues[0]?.path).toBe("roleArn");
    const uri = await planDeletion(
      context(),
      base({ users: mustNotPrepare, s3Uri: "s3://bucket/a/../" }),
    ).catch((e: unknown) => e);
    expect((uri as ValidationError).issues?.[0]?.path).toBe("s3Uri");
    // And the function is called once all is well.
    await expect(planDeletion(context(), base({ users: mustNotPrepare }))).rejects.toThrow("called");
  });

  test("users and dataLocation are one or the other; a derived name needs users", async () => {
    for (const input of [
      { datasetGroupArn: DSG, roleArn: ROLE },
      base({ users: ["a"], dataLocation: "s3://bucket/x.csv" }),
    ]) {
      const error = await planDeletion(context(), input).catch((e: unknown) => e);
      expect((error as ValidationError).issues[0]).toMatchObject({
        path: "users",
        rule: "give users and s3Uri, or dataLocation",
      });
    }
    const derived = await planDeletion(context(), {
      datasetGroupArn: DSG,
      roleArn: ROLE,
      dataLocation: "s3://bucket/x.csv",
      jobName: () => "x",
    }).catch((e: unknown) => e);
    expect((derived as ValidationError).issues[0]).toMatchObject({ path: "jobName", received: "a function" });
  });

  test("a name with no room for -part-N is refused once the split is known, before anything is sent", async () => {
    const long = "n".repeat(60);
    const one = await planDeletion(context(), base({ users: ["a"], jobName: long }));
    expect(one.jobName).toBe(long);
    const error = await planDeletion(
      context(),
      base({ users: Array.from({ length: 20 }, (_, i) => `u${i}`), jobName: long, maxFileBytes: 64 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe("jobName");
  });

  test("the default name is the clock's time and a random suffix", async () => {
    const plan = await planDeletion(context(), base({ users: ["a"] }));
    expect(plan.jobName).toMatch(/^delete-users-20260102-030405Z-[0-9a-z]{6}$/);
    expect(plan.parts[0]?.dataLocation).toBe(`s3://bucket/erasures/${plan.jobName}.csv`);
  });
});
