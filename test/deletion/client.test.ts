import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  AbortError,
  ConfigurationError,
  DataDeletionClient,
  InvalidNextTokenException,
  LimitExceededException,
  NetworkError,
  RequestTimeoutError,
  ResourceNotFoundException,
  ServiceError,
} from "../../src/index.ts";
import { clientFor, ROLE_ARN } from "../support/client.ts";
import { startVerifyingServer, TEST_CREDENTIALS, type VerifyingServer } from "../support/verifying-server.ts";

let server: VerifyingServer;
beforeEach(() => {
  server = startVerifyingServer();
});
afterEach(() => server.close());

async function putCsv(key: string, ids: string[]) {
  await clientFor(server).uploadUserIds(ids, { s3Uri: `s3://${server.emulator.bucket}/${key}` });
}

describe("the three operations against a verifying server", () => {
  test("create, describe, list: every request's signature re-verified by smithy", async () => {
    const client = clientFor(server);
    await putCsv("in/a.csv", ["user-001"]);
    const created = await client.createDataDeletionJob({
      jobName: "job-a",
      datasetGroupArn: server.emulator.datasetGroupArn,
      dataSource: { dataLocation: `s3://${server.emulator.bucket}/in/a.csv` },
      roleArn: ROLE_ARN,
      tags: [{ tagKey: "team", tagValue: "privacy" }],
    });
    expect(created.dataDeletionJobArn).toBe(
      "arn:aws:personalize:us-east-1:000000000000:data-deletion-job/job-a",
    );
    const { dataDeletionJob } = await client.describeDataDeletionJob({
      dataDeletionJobArn: created.dataDeletionJobArn as string,
    });
    expect(dataDeletionJob?.status).toBe("COMPLETED");
    expect(dataDeletionJob?.numDeleted).toBe(3);
    expect(dataDeletionJob?.creationDateTime).toBeInstanceOf(Date);
    const createdAt = dataDeletionJob?.creationDateTime as Date;
    expect(Math.abs(createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    const list = await client.listDataDeletionJobs({ datasetGroupArn: server.emulator.datasetGroupArn });
    expect(list.dataDeletionJobs?.map((j) => j.jobName)).toEqual(["job-a"]);
    expect(server.requests.length).toBeGreaterThanOrEqual(4);
    expect(server.requests.filter((r) => !r.verified).map((r) => r.problem)).toEqual([]);
    const targets = server.requests.map((r) => r.target).filter(Boolean);
    expect(targets).toEqual([
      "AmazonPersonalize.CreateDataDeletionJob",
      "AmazonPersonalize.DescribeDataDeletionJob",
      "AmazonPersonalize.ListDataDeletionJobs",
    ]);
    const create = server.requests.find((r) => r.target?.endsWith("CreateDataDeletionJob"));
    expect(create?.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(JSON.parse(new TextDecoder().decode(create?.body)).tags).toEqual([
      { tagKey: "team", tagValue: "privacy" },
    ]);
  });

  test("session tokens are signed and sent", async () => {
    const client = clientFor(server, {
      credentials: async () => ({
        accessKeyId: "AKIDTESTVERIFY",
        secretAccessKey: "verify/SECRET+key0123456789abcdefghijk",
        sessionToken: "TOKEN/abc+=",
      }),
    });
    await client.listDataDeletionJobs();
    expect(server.requests[0]?.headers.get("x-amz-security-token")).toBe("TOKEN/abc+=");
    expect(server.requests[0]?.verified).toBe(true);
  });

  test("paginateDataDeletionJobs yields every summary once, newest first, across pages", async () => {
    const client = clientFor(server);
    await putCsv("in/p.csv", ["user-009"]);
    for (let i = 0; i < 7; i++) {
      await client.createDataDeletionJob({
        jobName: `page-${i}`,
        datasetGroupArn: server.emulator.datasetGroupArn,
        dataSource: { dataLocation: `s3://${server.emulator.bucket}/in/p.csv` },
        roleArn: ROLE_ARN,
      });
    }
    const names: string[] = [];
    for await (const job of client.paginateDataDeletionJobs({
      datasetGroupArn: server.emulator.datasetGroupArn,
      pageSize: 3,
    })) {
      names.push(job.jobName as string);
    }
    expect(names).toEqual(["page-6", "page-5", "page-4", "page-3", "page-2", "page-1", "page-0"]);
    const lists = server.requests.filter((r) => r.target?.endsWith("ListDataDeletionJobs"));
    expect(lists.length).toBe(3);
  });

  test("a service that hands the same nextToken back twice is a ServiceError, not a loop", async () => {
    const page = { dataDeletionJobs: [{ jobName: "j" }], nextToken: "again" };
    const client = clientFor(server, {
      fetch: async () => Response.json(page, { headers: { "x-amzn-requestid": "r-1" } }),
    });
    let seen = 0;
    const error = await (async () => {
      for await (const _ of client.paginateDataDeletionJobs()) seen++;
    })().catch((e) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).not.toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain("same nextToken twice");
    expect(seen).toBe(2);
  });

  test("a tampered nextToken is InvalidNextTokenException", async () => {
    await expect(
      clientFor(server).listDataDeletionJobs({ nextToken: "bm90LWEtdG9rZW4" }),
    ).rejects.toBeInstanceOf(InvalidNextTokenException);
  });
});

describe("errors", () => {
  test("modeled errors become their class with status, message and request id", async () => {
    const error = await clientFor(server)
      .describeDataDeletionJob({
        dataDeletionJobArn: "arn:aws:personalize:us-east-1:000000000000:data-deletion-job/none",
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.httpStatus).toBe(400);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.retryable).toBe(false);
    expect(server.requests.length).toBe(1);
  });

  test("error shapes from the SDK capture parse like the SDK parses them", async () => {
    const capture = (await Bun.file(
      new URL("../fixtures/model/aws-sdk-v3-wire-capture.json", import.meta.url),
    ).json()) as {
      errorParsing: {
        response: { status: number; body: string; headers: Record<string, string> };
        name: string;
        message: string;
        class: string;
      }[];
    };
    for (const c of capture.errorParsing) {
      server.intercept = () =>
        new Response(c.response.body, { status: c.response.status, headers: c.response.headers });
      const error = await clientFor(server)
        .listDataDeletionJobs()
        .catch((e) => e);
      expect(error.name).toBe(c.name);
      expect(error.message).toBe(c.message);
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.constructor.name).toBe(
        c.class === "PersonalizeServiceException" ? "ServiceError" : c.class,
      );
    }
  });

  test("throttling (400 ThrottlingException), 5xx and resets are retried; the third try succeeds", async () => {
    const answers = [
      () =>
        new Response(JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }), {
          status: 400,
        }),
      () => new Response("oops", { status: 503 }),
    ];
    server.intercept = () => answers.shift()?.();
    const out = await clientFor(server).listDataDeletionJobs();
    expect(out.dataDeletionJobs).toEqual([]);
    expect(server.requests.length).toBe(3);
  });

  test("rate LimitExceededException is retried; the PENDING-jobs one is not", async () => {
    let n = 0;
    server.intercept = () =>
      n++ === 0
        ? new Response(
            JSON.stringify({
              __type: "LimitExceededException",
              message: "Rate exceeded: too many requests per second",
            }),
            { status: 400 },
          )
        : undefined;
    await clientFor(server).listDataDeletionJobs();
    expect(server.requests.length).toBe(2);

    server.requests.length = 0;
    server.intercept = () =>
      new Response(
        JSON.stringify({
          __type: "LimitExceededException",
          message: "The maximum number of PENDING data deletion jobs (5) has been reached",
        }),
        { status: 400 },
      );
    const error = await clientFor(server)
      .listDataDeletionJobs()
      .catch((e) => e);
    expect(error).toBeInstanceOf(LimitExceededException);
    expect(error.retryable).toBe(false);
    expect(server.requests.length).toBe(1);
  });

  test("streamUploads: the stream carries its Content-Length and a retry re-sends every byte", async () => {
    const seen: string[] = [];
    const spy = (input: string, init: RequestInit) => {
      if (init.method === "PUT") seen.push(init.body instanceof ReadableStream ? "stream" : typeof init.body);
      return fetch(input, init);
    };
    let puts = 0;
    server.intercept = (req) =>
      req.method === "PUT" && ++puts === 1 ? new Response("busy", { status: 503 }) : undefined;
    const ids = Array.from({ length: 5000 }, (_, i) => `user-${i}`);
    const key = "streamed/users.csv";
    const out = await clientFor(server, { fetch: spy, streamUploads: true }).uploadUserIds(ids, {
      s3Uri: `s3://${server.emulator.bucket}/${key}`,
    });
    const expected = new TextEncoder().encode(`USER_ID\n${ids.join("\n")}\n`);
    expect(out.bytes).toBe(expected.length);
    expect(seen).toEqual(["stream", "stream"]);
    const sent = server.requests.filter((r) => r.method === "PUT");
    expect(sent.map((r) => [r.headers.get("content-length"), r.body.length, r.verified])).toEqual([
      [String(expected.length), expected.length, true],
      [String(expected.length), expected.length, true],
    ]);
    expect(server.emulator.state.buckets.get(server.emulator.bucket)?.get(key)?.body).toEqual(expected);
  });

  test("with a fetch of the caller's own, uploads are bytes unless streamUploads says otherwise", async () => {
    const seen: unknown[] = [];
    const spy = (input: string, init: RequestInit) => {
      if (init.method === "PUT") seen.push(init.body);
      return fetch(input, init);
    };
    await clientFor(server, { fetch: spy }).uploadUserIds(["user-1"], {
      s3Uri: `s3://${server.emulator.bucket}/bytes.csv`,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(Uint8Array);
  });

  test("gives up after maxAttempts with the last error", async () => {
    server.intercept = () =>
      new Response(JSON.stringify({ __type: "InternalFailure", message: "boom" }), { status: 500 });
    const error = await clientFor(server, { maxAttempts: 4 })
      .listDataDeletionJobs()
      .catch((e) => e);
    expect(error.name).toBe("InternalFailure");
    expect(error.httpStatus).toBe(500);
    expect(server.requests.length).toBe(4);
  });

  test("a refused connection is a retryable NetworkError", async () => {
    server.close();
    const error = await clientFor(server, { maxAttempts: 2 })
      .listDataDeletionJobs()
      .catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.retryable).toBe(true);
  });

  test("a hung server gives RequestTimeoutError, not a hang", async () => {
    server.intercept = () => new Promise<Response>(() => {});
    const started = Date.now();
    const error = await clientFor(server, { requestTimeoutMs: 150, maxAttempts: 2 })
      .listDataDeletionJobs()
      .catch((e) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(server.requests.length).toBe(2);
  });

  test("an AbortSignal cancels a call in flight", async () => {
    server.intercept = () => new Promise<Response>(() => {});
    const controller = new AbortController();
    const pending = clientFor(server)
      .listDataDeletionJobs({}, { signal: controller.signal })
      .catch((e) => e);
    setTimeout(() => controller.abort(new Error("user cancelled")), 50);
    const error = await pending;
    expect(error).toBeInstanceOf(AbortError);
    expect((error.cause as Error).message).toBe("user cancelled");
  });
});

describe("configuration", () => {
  test("missing region or credentials fail at construction, naming what to set", () => {
    expect(() => new DataDeletionClient({ useEnvironment: false })).toThrow(/AWS_REGION/);
    expect(() => new DataDeletionClient({ region: "us-east-1", useEnvironment: false })).toThrow(
      /AWS_ACCESS_KEY_ID/,
    );
    expect(() => new DataDeletionClient({ region: "us-east-1", useEnvironment: false })).toThrow(
      ConfigurationError,
    );
  });

  test("environment variables are read as the AWS SDKs read them", () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "AKIDENV",
        AWS_SECRET_ACCESS_KEY: "secret",
        AWS_ENDPOINT_URL: "http://127.0.0.1:9/",
      });
      const client = new DataDeletionClient();
      expect(client.region).toBe("eu-west-1");
      expect(client.endpoint).toBe("http://127.0.0.1:9/");
      expect(client.s3Endpoint).toBe("http://127.0.0.1:9/");
      delete process.env.AWS_ENDPOINT_URL;
      expect(new DataDeletionClient().endpoint).toBe("https://personalize.eu-west-1.amazonaws.com/");
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  test("debug logs redact the signature and session token", async () => {
    const lines: string[] = [];
    const client = clientFor(server, {
      credentials: {
        accessKeyId: "AKIDTESTVERIFY",
        secretAccessKey: "verify/SECRET+key0123456789abcdefghijk",
        sessionToken: "SESSION-TOKEN-XYZ",
      },
      logger: { debug: (m, d) => lines.push(`${m} ${JSON.stringify(d)}`) },
    });
    await client.listDataDeletionJobs();
    const text = lines.join("\n");
    expect(text).toContain("ListDataDeletionJobs");
    expect(text).toContain("[redacted]");
    expect(text).not.toContain("SESSION-TOKEN-XYZ");
    expect(text).not.toContain("Signature=");
    expect(text).not.toContain("verify/SECRET");
  });
});

describe("deleteUploadedFile", () => {
  test("deletes every version of the file, not just the current one (a versioned bucket keeps the rest)", async () => {
    server = startVerifyingServer();
    const { emulator } = server;
    const sdkConfig = {
      region: "us-east-1",
      endpoint: server.url,
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    };
    const s3 = new S3Client(sdkConfig);
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: emulator.bucket,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const client = clientFor(server);
    const uploaded = await client.uploadUserIds(["user-001"], { s3Uri: `s3://${emulator.bucket}/v/ids.csv` });
    // Someone writes the key again: two versions hold ids now.
    await s3.send(
      new PutObjectCommand({ Bucket: emulator.bucket, Key: "v/ids.csv", Body: "USER_ID\nuser-002\n" }),
    );
    const erased = await client.deleteUploadedFile(uploaded.dataLocation);
    expect(erased).toEqual({ versionsDeleted: 2, listed: true });
    const left = await s3.send(new ListObjectVersionsCommand({ Bucket: emulator.bucket, Prefix: "v/" }));
    expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);
    // Already gone: not an error.
    expect(await client.deleteUploadedFile(uploaded.dataLocation)).toEqual({
      versionsDeleted: 0,
      listed: true,
    });
  });
});
