// A job is adopted only when it was made from the very same list: the library, the erasure and the key and
// region rules that keep an upload where it was asked to go. Judged through the AWS SDK v3 clients (tags,
// objects) and the emulator's own view of the users left.
import { afterEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { ListTagsForResourceCommand, PersonalizeClient } from "@aws-sdk/client-personalize";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { LIST_COUNT_TAG, LIST_SHA256_TAG, nameForList } from "../../src/deletion/names.ts";
import { ConfigurationError, ConflictError, ValidationError } from "../../src/index.ts";
import { clientFor, erasureClientFor, ROLE_ARN } from "../support/client.ts";
import { startVerifyingServer, TEST_CREDENTIALS, type VerifyingServer } from "../support/verifying-server.ts";

let server: VerifyingServer;
afterEach(() => server?.close());

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const sdkConfig = (s: VerifyingServer) => ({
  region: "us-east-1",
  endpoint: s.url,
  credentials: TEST_CREDENTIALS,
  forcePathStyle: true,
});

async function keysIn(s: VerifyingServer): Promise<string[]> {
  const s3 = new S3Client(sdkConfig(s));
  const out = await s3.send(new ListObjectsV2Command({ Bucket: s.emulator.bucket }));
  return (out.Contents ?? []).map((o) => o.Key as string);
}

describe("adoption of an existing job", () => {
  test("a reused job name with another list is a ConflictError: the new ids are not silently dropped", async () => {
    server = startVerifyingServer({ jobSeconds: 1 });
    const { emulator } = server;
    const client = clientFor(server);
    const base = {
      s3Uri: `s3://${emulator.bucket}/erasures/`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      jobName: "erasure-2026-12",
      wait: { minDelayMs: 1 },
    };
    const first = await client.deleteUsers({ ...base, users: ["user-001"] });
    expect(first.jobs[0]?.status).toBe("COMPLETED");
    // The job says which list it read: the SHA-256 of the file, as an independent hash computes it.
    const personalize = new PersonalizeClient(sdkConfig(server));
    const tags = await personalize.send(
      new ListTagsForResourceCommand({ resourceArn: first.jobs[0]?.dataDeletionJobArn }),
    );
    expect(tags.tags).toEqual(
      expect.arrayContaining([
        { tagKey: LIST_SHA256_TAG, tagValue: sha("USER_ID\nuser-001\n") },
        { tagKey: LIST_COUNT_TAG, tagValue: "1" },
      ]),
    );

    const error = await client.deleteUsers({ ...base, users: ["user-002"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(String((error as Error).message)).toMatch(
      /erasure-2026-12 already exists and was made from a different list of ids .*Choose a new `jobName`/,
    );
    expect(String((error as Error).message)).not.toContain("user-002");
    // Nothing claimed, nothing left behind: user-002 is still there, and its upload was taken back.
    expect(emulator.state.users(emulator.datasetGroupArn)).toContain("user-002");
    expect(await keysIn(server)).toEqual([]);

    // The same list again is the same job: adopted, not made twice.
    const again = await client.deleteUsers({ ...base, users: ["user-001"] });
    expect(again.jobs.map((j) => [j.dataDeletionJobArn, j.adopted])).toEqual([
      [first.jobs[0]?.dataDeletionJobArn as string, true],
    ]);
  });

  test("the erasure refuses the other list before anything is uploaded, and its receipt never says complete", async () => {
    server = startVerifyingServer({ jobSeconds: 1 });
    const { emulator } = server;
    const client = erasureClientFor(server);
    const base = {
      s3Uri: `s3://${emulator.bucket}/erasures/`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      jobName: "erasure-2026-12",
      wait: { minDelayMs: 1 },
      retrain: true,
    };
    const first = await client.eraseUsers({ ...base, users: ["user-001"] });
    expect(first.receipt.complete).toBe(true);
    expect(first.receipt.jobs[0]?.sha256).toBe(sha("USER_ID\nuser-001\n"));
    const puts = () => server.requests.filter((r) => r.method === "PUT").length;
    const before = puts();
    const error = await client.eraseUsers({ ...base, users: ["user-002"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(puts()).toBe(before);
    expect(emulator.state.users(emulator.datasetGroupArn)).toContain("user-002");
    // status, without the ids, counts them from the job's tags.
    const status = await client.erasureStatus({
      datasetGroupArn: emulator.datasetGroupArn,
      jobName: "erasure-2026-12",
      retrain: true,
    });
    expect(status.users).toEqual({ unique: 1, from: "job-tags" });
  });

  test("a name derived from the list: the same list adopts its job, a grown list gets a new one", async () => {
    server = startVerifyingServer({ jobSeconds: 1 });
    const { emulator } = server;
    const client = clientFor(server);
    const run = (users: string[]) =>
      client.deleteUsers({
        users,
        s3Uri: `s3://${emulator.bucket}/erasures/`,
        datasetGroupArn: emulator.datasetGroupArn,
        roleArn: ROLE_ARN,
        jobName: (list) => nameForList("monthly", list),
        wait: { minDelayMs: 1 },
      });
    const a = await run(["user-001"]);
    const b = await run(["user-001"]);
    const grown = await run(["user-001", "user-002"]);
    expect(a.jobs[0]?.jobName).toBe(`monthly-${sha("USER_ID\nuser-001\n").slice(0, 16)}`);
    expect(b.jobs[0]?.adopted).toBe(true);
    expect(grown.jobs[0]?.jobName).not.toBe(a.jobs[0]?.jobName);
    expect(grown.jobs[0]?.status).toBe("COMPLETED");
    const left = emulator.state.users(emulator.datasetGroupArn);
    expect(left).not.toContain("user-001");
    expect(left).not.toContain("user-002");
  });
});

describe("locations and regions, refused before anything is sent", () => {
  test("an s3Uri with a . or .. segment is refused, naming the field; nothing is uploaded anywhere", async () => {
    server = startVerifyingServer();
    const { emulator } = server;
    const client = clientFor(server);
    for (const key of ["h/../other/", "h/../../x/", "./a.csv", "a/./b/"]) {
      const error = await client
        .deleteUsers({
          users: ["user-001"],
          s3Uri: `s3://${emulator.bucket}/${key}`,
          datasetGroupArn: emulator.datasetGroupArn,
          roleArn: ROLE_ARN,
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toBe("s3Uri");
      expect((error as ValidationError).issues[0]?.rule).toMatch(/must not contain \. or \.\. path segments/);
    }
    expect(server.requests).toEqual([]);
  });

  test("a dataset group in another region than the client's is refused, naming both, before any request", async () => {
    server = startVerifyingServer();
    const client = clientFor(server);
    const error = await client
      .deleteUsers({
        users: ["user-001"],
        s3Uri: `s3://${server.emulator.bucket}/x/`,
        datasetGroupArn: "arn:aws:personalize:eu-west-1:000000000000:dataset-group/dg",
        roleArn: ROLE_ARN,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String((error as Error).message)).toBe(
      "`datasetGroupArn` is in eu-west-1 but requests go to us-east-1 (`region`): use the same region for both",
    );
    expect(server.requests).toEqual([]);
    expect(() => clientFor(server, { region: "us-east-1 " })).toThrow(/`region` must be an AWS region/);
    expect(() => clientFor(server, { region: "US-EAST-1" })).toThrow(/`region` must be an AWS region/);
    for (const region of ["us-gov-west-1", "cn-north-1", "eu-central-2", "us-isob-east-1"]) {
      expect(clientFor(server, { region }).region).toBe(region);
    }
  });

  test("keys are sent exactly as given: ?, #, %, spaces, + and unicode round-trip through the AWS SDK", async () => {
    server = startVerifyingServer({ jobSeconds: 1 });
    const { emulator } = server;
    const client = clientFor(server);
    const key = "odd keys/a?b#c%20d+e f é 日本/ids 100%.csv";
    const out = await client.deleteUsers({
      users: ["user-001"],
      s3Uri: `s3://${emulator.bucket}/${key}`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      keepUploadedFile: true,
      wait: { minDelayMs: 1 },
    });
    expect(out.jobs[0]?.status).toBe("COMPLETED");
    expect(out.jobs[0]?.dataLocation).toBe(`s3://${emulator.bucket}/${key}`);
    expect(await keysIn(server)).toEqual([key]);
    const s3 = new S3Client(sdkConfig(server));
    const got = await s3.send(new GetObjectCommand({ Bucket: emulator.bucket, Key: key }));
    expect(await got.Body?.transformToString()).toBe("USER_ID\nuser-001\n");
  });

  test("an upload the bucket refuses names the bucket and the s3Uri it came from", async () => {
    server = startVerifyingServer();
    const client = clientFor(server);
    const error = await client
      .deleteUsers({
        users: ["user-001"],
        s3Uri: "s3://no-such-bucket-here/x/",
        datasetGroupArn: server.emulator.datasetGroupArn,
        roleArn: ROLE_ARN,
        jobName: "j",
      })
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toBe(
      "uploading to s3://no-such-bucket-here/x/j.csv (from `s3Uri`) failed: NoSuchBucket: The specified bucket does not exist; the bucket does not exist (check its name and the account)",
    );
  });
});
