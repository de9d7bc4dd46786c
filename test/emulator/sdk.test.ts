// The official AWS SDK v3 clients are the reference client here: they sign with their own SigV4 code and
// parse answers with their own protocol code, so a mistake in the emulator shows up as an SDK error.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateDataDeletionJobCommand,
  DescribeDataDeletionJobCommand,
  ListDataDeletionJobsCommand,
  PersonalizeClient,
} from "@aws-sdk/client-personalize";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { AwsV4Signer } from "aws4fetch";
import { MAX_JSON_BODY } from "../../src/emulator/handler.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";

const ROLE = "arn:aws:iam::000000000000:role/PersonalizeDeletionRole";
const creds = { accessKeyId: "test", secretAccessKey: "test" };
let running: RunningEmulator;

function personalize(credentials = creds) {
  return new PersonalizeClient({
    region: "us-east-1",
    endpoint: running.endpoint,
    credentials,
    maxAttempts: 1,
  });
}
function s3(credentials = creds) {
  return new S3Client({
    region: "us-east-1",
    endpoint: running.endpoint,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
  });
}
async function users(): Promise<string[]> {
  const res = await fetch(
    `${running.endpoint}/_emulator/users?datasetGroupArn=${encodeURIComponent(running.emulator.datasetGroupArn)}`,
  );
  return ((await res.json()) as { users: string[] }).users;
}
async function put(key: string, body: string) {
  await s3().send(
    new PutObjectCommand({ Bucket: "sdk-bucket", Key: key, Body: body, ContentType: "text/csv" }),
  );
}
// A PUT to sdk-bucket signed by aws4fetch, claiming `claimed`'s SHA-256 as its payload hash: for requests
// the SDK will not send (a chunked body, bytes that differ from the hash).
async function signPut(key: string, claimed: Uint8Array<ArrayBuffer>) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", claimed));
  return new AwsV4Signer({
    url: `${running.endpoint}/sdk-bucket/${key}`,
    method: "PUT",
    headers: { "x-amz-content-sha256": Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("") },
    ...creds,
    service: "s3",
    region: "us-east-1",
  }).sign();
}
async function headError(key: string): Promise<string | undefined> {
  const error = await s3()
    .send(new HeadObjectCommand({ Bucket: "sdk-bucket", Key: key }))
    .then(
      () => undefined,
      (e: Error) => e,
    );
  return error?.name;
}
async function create(jobName: string, dataLocation: string) {
  return personalize().send(
    new CreateDataDeletionJobCommand({
      jobName,
      datasetGroupArn: running.emulator.datasetGroupArn,
      dataSource: { dataLocation },
      roleArn: ROLE,
    }),
  );
}
async function describeJob(arn: string) {
  return (await personalize().send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn: arn })))
    .dataDeletionJob;
}

beforeAll(async () => {
  const started = Date.now();
  running = await startEmulator({ port: 0, jobSeconds: 0 });
  expect(Date.now() - started).toBeLessThan(1000);
  await s3().send(new CreateBucketCommand({ Bucket: "sdk-bucket" }));
});
afterAll(() => running.close());

describe("S3 with @aws-sdk/client-s3", () => {
  test("PutObject, HeadObject, GetObject, ListObjectsV2, DeleteObject", async () => {
    await put("a/users 1+2.csv", "USER_ID\nuser-001\n");
    const head = await s3().send(new HeadObjectCommand({ Bucket: "sdk-bucket", Key: "a/users 1+2.csv" }));
    expect(head.ContentLength).toBe(17);
    const got = await s3().send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "a/users 1+2.csv" }));
    expect(await got.Body?.transformToString()).toBe("USER_ID\nuser-001\n");
    const listed = await s3().send(new ListObjectsV2Command({ Bucket: "sdk-bucket", Prefix: "a/" }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(["a/users 1+2.csv"]);
    await s3().send(new DeleteObjectCommand({ Bucket: "sdk-bucket", Key: "a/users 1+2.csv" }));
    const error = await s3()
      .send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "a/users 1+2.csv" }))
      .catch((e) => e);
    expect(error.name).toBe("NoSuchKey");
  });

  test("wrong secret: SignatureDoesNotMatch; unknown key: InvalidAccessKeyId", async () => {
    const bad = await s3({ accessKeyId: "test", secretAccessKey: "nope" })
      .send(new ListObjectsV2Command({ Bucket: "sdk-bucket" }))
      .catch((e) => e);
    expect(bad.name).toBe("SignatureDoesNotMatch");
    expect(bad.$metadata.httpStatusCode).toBe(403);
    const unknown = await s3({ accessKeyId: "other", secretAccessKey: "test" })
      .send(new ListObjectsV2Command({ Bucket: "sdk-bucket" }))
      .catch((e) => e);
    expect(unknown.name).toBe("InvalidAccessKeyId");
  });
});

describe("Personalize with @aws-sdk/client-personalize", () => {
  test("create, describe and list; the job deletes its users' rows", async () => {
    await put("jobs/one.csv", "USER_ID\nuser-001\nuser-002\nuser-404\n");
    expect(await users()).toContain("user-001");
    const { dataDeletionJobArn } = await create("sdk-one", "s3://sdk-bucket/jobs/one.csv");
    const job = await describeJob(dataDeletionJobArn as string);
    expect(job?.status).toBe("COMPLETED");
    // "The number of records deleted": 3 interactions for each of the 2 users there; user-404 adds none.
    expect(job?.numDeleted).toBe(6);
    expect(job?.creationDateTime).toBeInstanceOf(Date);
    expect(job?.dataSource?.dataLocation).toBe("s3://sdk-bucket/jobs/one.csv");
    const left = await users();
    expect(left).not.toContain("user-001");
    expect(left).not.toContain("user-002");
    expect(left).toContain("user-003");
  });

  test("a folder location reads every file under it", async () => {
    await put("folder/x/a.csv", "USER_ID\nuser-010\n");
    await put("folder/x/sub/b.csv", "USER_ID\nuser-011\n");
    const { dataDeletionJobArn } = await create("sdk-folder", "s3://sdk-bucket/folder/x/");
    expect((await describeJob(dataDeletionJobArn as string))?.numDeleted).toBe(6);
  });

  test("jobs that cannot read their input FAIL with a reason", async () => {
    await put("bad/header.csv", "USERID\nuser-020\n");
    await put("bad/two-columns.csv", "USER_ID,X\nuser-020,1\n");
    const cases: [string, string, RegExp][] = [
      ["sdk-missing", "s3://sdk-bucket/bad/none.csv", /not found/],
      ["sdk-header", "s3://sdk-bucket/bad/header.csv", /single USER_ID column/],
      ["sdk-columns", "s3://sdk-bucket/bad/two-columns.csv", /single USER_ID column/],
    ];
    for (const [name, location, reason] of cases) {
      const { dataDeletionJobArn } = await create(name, location);
      const job = await describeJob(dataDeletionJobArn as string);
      expect(job?.status).toBe("FAILED");
      expect(job?.failureReason).toMatch(reason);
    }
    expect(await users()).toContain("user-020");
  });

  test("modeled errors: duplicate name, unknown resources, bad token, model validation", async () => {
    await put("e/one.csv", "USER_ID\nuser-030\n");
    await create("sdk-dup", "s3://sdk-bucket/e/one.csv");
    const dup = await create("sdk-dup", "s3://sdk-bucket/e/one.csv").catch((e) => e);
    expect(dup.name).toBe("ResourceAlreadyExistsException");
    const missing = await describeJob(
      "arn:aws:personalize:us-east-1:000000000000:data-deletion-job/none",
    ).catch((e) => e);
    expect(missing.name).toBe("ResourceNotFoundException");
    const dsg = await personalize()
      .send(
        new CreateDataDeletionJobCommand({
          jobName: "x",
          datasetGroupArn: "arn:aws:personalize:us-east-1:000000000000:dataset-group/none",
          dataSource: { dataLocation: "s3://b/k" },
          roleArn: ROLE,
        }),
      )
      .catch((e) => e);
    expect(dsg.name).toBe("ResourceNotFoundException");
    const token = await personalize()
      .send(new ListDataDeletionJobsCommand({ nextToken: "forged" }))
      .catch((e) => e);
    expect(token.name).toBe("InvalidNextTokenException");
    const invalid = await create("has space", "s3://sdk-bucket/e/one.csv").catch((e) => e);
    expect(invalid.name).toBe("InvalidInputException");
    expect(invalid.$metadata.httpStatusCode).toBe(400);
    expect(invalid.message).toContain("'jobName'");
    const range = await personalize()
      .send(new ListDataDeletionJobsCommand({ maxResults: 101 }))
      .catch((e) => e);
    expect(range.name).toBe("InvalidInputException");
    expect(range.message).toContain("maxResults");
  });

  test("ListDataDeletionJobs pages newest first with opaque tokens", async () => {
    const all: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await personalize().send(
        new ListDataDeletionJobsCommand({ maxResults: 2, ...(nextToken ? { nextToken } : {}) }),
      );
      all.push(...(page.dataDeletionJobs ?? []).map((j) => j.jobName as string));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBeGreaterThan(2);
    expect(new Set(all).size).toBe(all.length);
    const times = [...running.emulator.state.jobs.values()]
      .sort((a, b) => b.seq - a.seq)
      .map((j) => j.jobName);
    expect(all).toEqual(times);
  });

  test("bad signatures: wrong secret, unknown key, and an expired date", async () => {
    const wrong = await personalize({ accessKeyId: "test", secretAccessKey: "nope" })
      .send(new ListDataDeletionJobsCommand({}))
      .catch((e) => e);
    expect(wrong.name).toBe("InvalidSignatureException");
    expect(wrong.$metadata.httpStatusCode).toBe(403);
    const unknown = await personalize({ accessKeyId: "nobody", secretAccessKey: "test" })
      .send(new ListDataDeletionJobsCommand({}))
      .catch((e) => e);
    expect(unknown.name).toBe("UnrecognizedClientException");
    const old = new Date(Date.now() - 20 * 60 * 1000).toISOString().replace(/[:-]|\.\d{3}/g, "");
    const signed = await new AwsV4Signer({
      url: `${running.endpoint}/`,
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonPersonalize.ListDataDeletionJobs",
      },
      body: "{}",
      ...creds,
      service: "personalize",
      region: "us-east-1",
      datetime: old,
    }).sign();
    const res = await fetch(signed.url, { method: "POST", headers: signed.headers, body: "{}" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/Signature expired/);
  });

  test("the PENDING limit: a sixth PENDING job is LimitExceededException", async () => {
    const slow = await startEmulator({ port: 0, jobSeconds: 3600 });
    try {
      const client = new PersonalizeClient({
        region: "us-east-1",
        endpoint: slow.endpoint,
        credentials: creds,
        maxAttempts: 1,
      });
      const send = (i: number) =>
        client.send(
          new CreateDataDeletionJobCommand({
            jobName: `p${i}`,
            datasetGroupArn: slow.emulator.datasetGroupArn,
            dataSource: { dataLocation: "s3://emulator-deletions/x.csv" },
            roleArn: ROLE,
          }),
        );
      for (let i = 0; i < 5; i++) await send(i);
      const error = await send(5).catch((e) => e);
      expect(error.name).toBe("LimitExceededException");
      expect(error.message).toMatch(/PENDING/);
    } finally {
      await slow.close();
    }
  });
});

describe("robustness", () => {
  test("malformed JSON, wrong content type, oversize bodies: 4xx, and the emulator keeps running", async () => {
    const sign = async (body: string, contentType: string) => {
      const signed = await new AwsV4Signer({
        url: `${running.endpoint}/`,
        method: "POST",
        headers: { "content-type": contentType, "x-amz-target": "AmazonPersonalize.ListDataDeletionJobs" },
        body,
        ...creds,
        service: "personalize",
        region: "us-east-1",
      }).sign();
      return fetch(signed.url, { method: "POST", headers: signed.headers, body });
    };
    const malformed = await sign("{not json", "application/x-amz-json-1.1");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { __type: string }).__type).toBe("SerializationException");
    const wrongType = await sign("{}", "text/plain");
    expect(wrongType.status).toBe(400);
    const big = await sign(
      JSON.stringify({ nextToken: "x".repeat(MAX_JSON_BODY) }),
      "application/x-amz-json-1.1",
    );
    expect(big.status).toBe(413);
    const health = await fetch(`${running.endpoint}/_emulator/health`);
    expect(await health.json()).toEqual({ ok: true });
  });

  test("a PUT without Content-Length (chunked) is 411 MissingContentLength, as S3 answers", async () => {
    const body = new TextEncoder().encode("USER_ID\nuser-001\n");
    const signed = await signPut("chunked.csv", body);
    const res = await fetch(signed.url, {
      method: "PUT",
      headers: signed.headers,
      body: new ReadableStream({
        start(c) {
          c.enqueue(body);
          c.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(411);
    expect(await res.text()).toContain("<Code>MissingContentLength</Code>");
    expect(await headError("chunked.csv")).toBe("NotFound");
  });

  test("a PUT whose bytes differ from its signed SHA-256 is 400 XAmzContentSHA256Mismatch, and stores nothing", async () => {
    const claimed = new TextEncoder().encode("USER_ID\nuser-001\n");
    const sent = new TextEncoder().encode("USER_ID\nuser-002\n");
    const signed = await signPut("altered.csv", claimed);
    const res = await fetch(signed.url, { method: "PUT", headers: signed.headers, body: sent });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>XAmzContentSHA256Mismatch</Code>");
    expect(await headError("altered.csv")).toBe("NotFound");
    // The same signed request with the bytes it claims is stored.
    const ok = await fetch(signed.url, { method: "PUT", headers: signed.headers, body: claimed });
    expect(ok.status).toBe(200);
  });

  test("state survives a restart with --data-dir, jobs resume their clock", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pdd-emulator-"));
    try {
      let first = await startEmulator({ port: 0, jobSeconds: 2, dataDir: dir });
      const client = (e: RunningEmulator) => ({
        p: new PersonalizeClient({
          region: "us-east-1",
          endpoint: e.endpoint,
          credentials: creds,
          maxAttempts: 1,
        }),
        s: new S3Client({
          region: "us-east-1",
          endpoint: e.endpoint,
          forcePathStyle: true,
          credentials: creds,
          maxAttempts: 1,
        }),
      });
      await client(first).s.send(
        new PutObjectCommand({ Bucket: "emulator-deletions", Key: "r.csv", Body: "USER_ID\nuser-040\n" }),
      );
      const { dataDeletionJobArn } = await client(first).p.send(
        new CreateDataDeletionJobCommand({
          jobName: "restart",
          datasetGroupArn: first.emulator.datasetGroupArn,
          dataSource: { dataLocation: "s3://emulator-deletions/r.csv" },
          roleArn: ROLE,
        }),
      );
      await first.close();
      first = await startEmulator({ port: 0, jobSeconds: 2, dataDir: dir });
      const again = client(first);
      const pending = (await again.p.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn })))
        .dataDeletionJob;
      expect(["PENDING", "IN_PROGRESS"]).toContain(pending?.status as string);
      await new Promise((r) => setTimeout(r, 2100));
      const done = (await again.p.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn })))
        .dataDeletionJob;
      expect(done?.status).toBe("COMPLETED");
      expect(done?.numDeleted).toBe(3);
      const obj = await again.s.send(new GetObjectCommand({ Bucket: "emulator-deletions", Key: "r.csv" }));
      expect(await obj.Body?.transformToString()).toBe("USER_ID\nuser-040\n");
      await first.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fault injection is deterministic for a seed", async () => {
    const outcomes = async () => {
      const e = await startEmulator({ port: 0, faults: { failRate: 0.3, throttleRate: 0.2, seed: 42 } });
      try {
        const client = new PersonalizeClient({
          region: "us-east-1",
          endpoint: e.endpoint,
          credentials: creds,
          maxAttempts: 1,
        });
        const seen: string[] = [];
        for (let i = 0; i < 20; i++) {
          seen.push(
            await client.send(new ListDataDeletionJobsCommand({})).then(
              () => "ok",
              (err) => err.name,
            ),
          );
        }
        return seen;
      } finally {
        await e.close();
      }
    };
    const a = await outcomes();
    expect(a).toEqual(await outcomes());
    expect(a).toContain("ok");
    expect(a).toContain("ThrottlingException");
    expect(a).toContain("InternalFailure");
  });
});

describe("Personalize errors in AWS's own form", () => {
  test("validation messages use AWS's wording, and every error names its type in x-amzn-ErrorType", async () => {
    const create = (jobName: string) =>
      personalize()
        .send(
          new CreateDataDeletionJobCommand({
            jobName,
            datasetGroupArn: running.emulator.datasetGroupArn,
            roleArn: ROLE,
            dataSource: { dataLocation: "s3://sdk-bucket/x.csv" },
          }),
        )
        .catch((e) => e);
    const pattern = await create("bad name");
    expect(pattern.name).toBe("InvalidInputException");
    expect(pattern.message).toBe(
      "1 validation error detected: Value 'bad name' at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*",
    );
    const long = await create("n".repeat(64));
    expect(long.message).toContain("Member must have length less than or equal to 63");
    const page = await personalize()
      .send(new ListDataDeletionJobsCommand({ maxResults: 101 }))
      .catch((e) => e);
    expect(page.message).toContain(
      "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    const res = await fetch(running.endpoint, {
      method: "POST",
      headers: {
        "x-amz-target": "AmazonPersonalize.ListDataDeletionJobs",
        "content-type": "application/x-amz-json-1.1",
      },
      body: "{}",
    });
    expect(res.headers.get("x-amzn-errortype")).toBe(
      "MissingAuthenticationTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/",
    );
  });
});

describe("--s3-endpoint: deletion files from another S3-compatible server", () => {
  test("jobs read their file (and folders) from the other server, signed with its own keys", async () => {
    const other = await startEmulator({ port: 0, accessKeyId: "minio-key", secretAccessKey: "minio-secret" });
    const composed = await startEmulator({
      port: 0,
      jobSeconds: 0,
      ...creds,
      externalS3: { endpoint: other.endpoint, accessKeyId: "minio-key", secretAccessKey: "minio-secret" },
    });
    try {
      const otherS3 = new S3Client({
        region: "us-east-1",
        endpoint: other.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: "minio-key", secretAccessKey: "minio-secret" },
      });
      await otherS3.send(new CreateBucketCommand({ Bucket: "team-bucket" }));
      await otherS3.send(
        new PutObjectCommand({ Bucket: "team-bucket", Key: "erase/one.csv", Body: "USER_ID\nuser-001\n" }),
      );
      await otherS3.send(
        new PutObjectCommand({
          Bucket: "team-bucket",
          Key: "erase/dir/two.csv",
          Body: "USER_ID\nuser-002\n",
        }),
      );
      const p = new PersonalizeClient({
        region: "us-east-1",
        endpoint: composed.endpoint,
        credentials: creds,
        maxAttempts: 1,
      });
      const create = async (jobName: string, dataLocation: string) => {
        const { dataDeletionJobArn } = await p.send(
          new CreateDataDeletionJobCommand({
            jobName,
            datasetGroupArn: composed.emulator.datasetGroupArn,
            roleArn: ROLE,
            dataSource: { dataLocation },
          }),
        );
        return (await p.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn }))).dataDeletionJob;
      };
      expect(await create("from-other", "s3://team-bucket/erase/one.csv")).toMatchObject({
        status: "COMPLETED",
        numDeleted: 3,
      });
      expect(await create("folder-other", "s3://team-bucket/erase/dir/")).toMatchObject({
        status: "COMPLETED",
        numDeleted: 3,
      });
      const users = composed.emulator.state.users(composed.emulator.datasetGroupArn) ?? [];
      expect(users).not.toContain("user-001");
      expect(users).not.toContain("user-002");
      // The built-in S3 was not read: the same key there does not exist.
      expect(composed.emulator.state.buckets.get("team-bucket")).toBeUndefined();
      const missing = await create("missing-other", "s3://team-bucket/erase/none.csv");
      expect(missing?.status).toBe("FAILED");
      expect(missing?.failureReason).toContain("Input file not found");
    } finally {
      await composed.close();
      await other.close();
    }
  });
});
