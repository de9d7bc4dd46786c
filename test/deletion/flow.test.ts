import { afterEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  ConflictError,
  DataDeletionJobFailedError,
  prepareDeletionCsv,
  ValidationError,
} from "../../src/index.ts";
import { clientFor, ROLE_ARN } from "../support/client.ts";
import { fakeClock } from "../support/fake-clock.ts";
import { startVerifyingServer, type VerifyingServer } from "../support/verifying-server.ts";

let server: VerifyingServer;
afterEach(() => server?.close());

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("deleteUsers", () => {
  test("prepares, uploads (bytes intact), creates, waits, deletes the users and then the uploaded CSV", async () => {
    server = startVerifyingServer();
    const { emulator } = server;
    const uploads: { key: string; sha: string }[] = [];
    server.intercept = (req) => {
      if (req.method === "PUT") uploads.push({ key: req.path, sha: sha(req.body) });
      return undefined;
    };
    const users = ["user-001", "user-002", "user-001", "", "not-there"];
    const events: string[] = [];
    const out = await clientFor(server).deleteUsers({
      users,
      s3Uri: `s3://${emulator.bucket}/deletions/`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      jobName: "erase-1",
      wait: { minDelayMs: 1 },
      onProgress: (e) => events.push(e.phase),
    });
    expect(out.userCount).toBe(3);
    expect(out.duplicateCount).toBe(1);
    expect(out.jobs).toHaveLength(1);
    const [job] = out.jobs;
    expect(job?.status).toBe("COMPLETED");
    expect(job?.numDeleted).toBe(6); // 3 interaction records for each of the 2 users there
    expect(job?.dataLocation).toBe(`s3://${emulator.bucket}/deletions/erase-1.csv`);
    expect(job?.uploadedFileDeleted).toBe(true);
    const left = emulator.state.users(emulator.datasetGroupArn) as string[];
    expect(left).not.toContain("user-001");
    expect(left).not.toContain("user-002");
    expect(left).toContain("user-003");
    expect(emulator.state.buckets.get(emulator.bucket)?.size).toBe(0);
    const expected = new TextEncoder().encode("USER_ID\nuser-001\nuser-002\nnot-there\n");
    expect(uploads).toEqual([{ key: `/${emulator.bucket}/deletions/erase-1.csv`, sha: sha(expected) }]);
    expect(server.requests.every((r) => r.verified)).toBe(true);
    expect(events).toEqual(["prepare", "upload", "create", "wait", "cleanup"]);
  });

  test("keepUploadedFile keeps the CSV; a prepared CSV file is accepted as users", async () => {
    server = startVerifyingServer();
    const { emulator } = server;
    const prepared = await prepareDeletionCsv("USER_ID\nuser-010\n");
    const out = await clientFor(server).deleteUsers({
      users: prepared,
      s3Uri: `s3://${emulator.bucket}/exact/key+with space/ü.csv`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      wait: true,
      keepUploadedFile: true,
    });
    expect(out.jobs[0]?.status).toBe("COMPLETED");
    const stored = emulator.state.buckets.get(emulator.bucket)?.get("exact/key+with space/ü.csv");
    expect(new TextDecoder().decode(stored?.body)).toBe("USER_ID\nuser-010\n");
    expect(out.jobs[0]?.jobName).toMatch(/^delete-users-\d{8}-\d{6}Z-[0-9a-z]{6}$/);
    expect(server.requests.every((r) => r.verified)).toBe(true);
  });

  test("a FAILED job throws, keeps the CSV and says where it is", async () => {
    server = startVerifyingServer({ maxInputBytes: 10 });
    const { emulator } = server;
    const error = await clientFor(server)
      .deleteUsers({
        users: ["user-001"],
        s3Uri: `s3://${emulator.bucket}/f/`,
        datasetGroupArn: emulator.datasetGroupArn,
        roleArn: ROLE_ARN,
        jobName: "too-big",
        wait: { minDelayMs: 1 },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(DataDeletionJobFailedError);
    expect(error.failureReason).toMatch(/exceeds the limit/);
    expect(error.keptAt).toBe(`s3://${emulator.bucket}/f/too-big.csv`);
    expect(error.message).toContain("kept at");
    expect(emulator.state.buckets.get(emulator.bucket)?.has("f/too-big.csv")).toBe(true);
    expect(emulator.state.users(emulator.datasetGroupArn)).toContain("user-001");
  });

  test("failOnJobFailure: false returns the FAILED job instead", async () => {
    server = startVerifyingServer({ maxInputBytes: 10 });
    const { emulator } = server;
    const out = await clientFor(server).deleteUsers({
      users: ["user-001"],
      s3Uri: `s3://${emulator.bucket}/f/`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      jobName: "too-big",
      wait: { minDelayMs: 1 },
      failOnJobFailure: false,
    });
    expect(out.jobs[0]?.status).toBe("FAILED");
    expect(out.jobs[0]?.uploadedFileDeleted).toBe(false);
  });

  for (const [label, maxPendingJobs] of [
    ["maxPendingJobs matching the service's limit", 2],
    ["a service limit lower than maxPendingJobs (learned from LimitExceededException)", undefined],
  ] as const) {
    test(`a large list is split into parts and all complete: ${label}`, async () => {
      const clock = fakeClock(Date.now());
      server = startVerifyingServer({ jobSeconds: 90, pendingLimit: 2, now: clock.now });
      const { emulator } = server;
      const users = Array.from({ length: 50 }, (_, i) => `user-${String(i + 1).padStart(3, "0")}`);
      const out = await clientFor(server, { clock }).deleteUsers({
        users,
        s3Uri: `s3://${emulator.bucket}/big/`,
        datasetGroupArn: emulator.datasetGroupArn,
        roleArn: ROLE_ARN,
        jobName: "big",
        maxFileBytes: 100,
        ...(maxPendingJobs ? { maxPendingJobs } : {}),
        wait: { minDelayMs: 10_000, maxDelayMs: 60_000 },
      });
      expect(out.jobs.length).toBe(5); // 8-byte header + 10 ids of 9 bytes per 100-byte file
      expect(out.jobs.map((j) => j.jobName)).toEqual(
        Array.from({ length: 5 }, (_, i) => `big-part-${i + 1}`),
      );
      expect(out.jobs.every((j) => j.status === "COMPLETED")).toBe(true);
      expect(out.jobs.reduce((n, j) => n + (j.numDeleted ?? 0), 0)).toBe(150);
      expect(emulator.state.users(emulator.datasetGroupArn)).toEqual([]);
      expect(emulator.state.jobs.size).toBe(5);
      expect(server.requests.every((r) => r.verified)).toBe(true);
      const refused = server.requests.filter((r) => r.target?.endsWith("CreateDataDeletionJob")).length - 5;
      if (maxPendingJobs) expect(refused).toBe(0);
      else expect(refused).toBeGreaterThan(0);
      expect(clock.sleeps.length).toBeGreaterThan(0);
    });
  }

  test("a re-run of the same job is adopted: no second job, no second upload", async () => {
    server = startVerifyingServer();
    const { emulator } = server;
    const input = {
      users: ["user-020"],
      s3Uri: `s3://${emulator.bucket}/rerun/`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      jobName: "rerun",
      keepUploadedFile: true,
    };
    const first = await clientFor(server).deleteUsers(input);
    const second = await clientFor(server).deleteUsers(input);
    expect(first.jobs[0]?.adopted).toBe(false);
    expect(second.jobs[0]?.adopted).toBe(true);
    expect(second.jobs[0]?.dataDeletionJobArn).toBe(first.jobs[0]?.dataDeletionJobArn as string);
    expect(emulator.state.jobs.size).toBe(1);
  });

  test("a different object at the upload key is a ConflictError unless overwrite", async () => {
    server = startVerifyingServer();
    const { emulator } = server;
    const client = clientFor(server);
    const s3Uri = `s3://${emulator.bucket}/fixed/users.csv`;
    await client.uploadUserIds(["a"], { s3Uri });
    await client.uploadUserIds(["a"], { s3Uri });
    await expect(client.uploadUserIds(["b"], { s3Uri })).rejects.toBeInstanceOf(ConflictError);
    await client.uploadUserIds(["b"], { s3Uri, overwrite: true });
    const stored = emulator.state.buckets.get(emulator.bucket)?.get("fixed/users.csv");
    expect(new TextDecoder().decode(stored?.body)).toBe("USER_ID\nb\n");
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ["a bad role ARN", { roleArn: "arn:aws:iam::123:role/x" }, "roleArn"],
    ["a bad s3Uri", { s3Uri: "https://bucket/x" }, "s3Uri"],
    ["a name too long for its parts", { jobName: "n".repeat(60), maxFileBytes: 64 }, "jobName"],
    [
      "a bad dataset group",
      { datasetGroupArn: "arn:aws:personalize:us-east-1:000000000000:solution/x" },
      "datasetGroupArn",
    ],
  ];
  for (const [label, patch, field] of invalid) {
    test(`${label} fails before anything is uploaded`, async () => {
      server = startVerifyingServer();
      const { emulator } = server;
      const error = await clientFor(server)
        .deleteUsers({
          users: Array.from({ length: 20 }, (_, i) => `user-${i}`),
          s3Uri: `s3://${emulator.bucket}/v/`,
          datasetGroupArn: emulator.datasetGroupArn,
          roleArn: ROLE_ARN,
          ...patch,
        } as never)
        .catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues[0].path).toBe(field);
      expect(server.requests.length).toBe(0);
    });
  }

  test("dataLocation: a CSV already in S3 is read as it is and never deleted by the flow", async () => {
    server = startVerifyingServer();
    const { emulator } = server;
    const client = clientFor(server);
    const uploaded = await client.uploadUserIds(["user-004"], {
      s3Uri: `s3://${emulator.bucket}/given/list.csv`,
    });
    const out = await client.deleteUsers({
      dataLocation: uploaded.dataLocation,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      jobName: "given",
      wait: { minDelayMs: 1 },
    });
    expect(out.jobs).toMatchObject([
      { jobName: "given", status: "COMPLETED", numDeleted: 3, dataLocation: uploaded.dataLocation },
    ]);
    expect(out.jobs[0]?.uploadedFileDeleted).toBe(false);
    expect(emulator.state.buckets.get(emulator.bucket)?.has("given/list.csv")).toBe(true);
    expect(server.requests.filter((r) => r.method === "PUT")).toHaveLength(1);
  });

  test("users with dataLocation, or neither, is a ValidationError before any request", async () => {
    server = startVerifyingServer();
    const { emulator } = server;
    const base = { datasetGroupArn: emulator.datasetGroupArn, roleArn: ROLE_ARN };
    for (const input of [
      {
        ...base,
        users: ["a"],
        s3Uri: `s3://${emulator.bucket}/x/`,
        dataLocation: `s3://${emulator.bucket}/x.csv`,
      },
      base,
    ]) {
      const error = await clientFor(server)
        .deleteUsers(input)
        .catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues[0].path).toBe("users");
    }
    expect(server.requests).toHaveLength(0);
  });

  test("an s3Uri key of any name is kept as it is: AWS reads a single file whatever its extension", async () => {
    server = startVerifyingServer();
    const { emulator } = server;
    const out = await clientFor(server).deleteUsers({
      users: ["user-005"],
      s3Uri: `s3://${emulator.bucket}/any/list.txt`,
      datasetGroupArn: emulator.datasetGroupArn,
      roleArn: ROLE_ARN,
      jobName: "any-key",
      wait: { minDelayMs: 1 },
      keepUploadedFile: true,
    });
    expect(out.jobs[0]).toMatchObject({
      dataLocation: `s3://${emulator.bucket}/any/list.txt`,
      status: "COMPLETED",
      numDeleted: 3,
    });
    expect(emulator.state.buckets.get(emulator.bucket)?.has("any/list.txt")).toBe(true);
  });
});
