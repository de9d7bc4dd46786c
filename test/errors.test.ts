// The error classes of src/errors.ts: each one's name, retryable, fields and message, and the JSON form
// logs and --json print (never the cause, which may hold anything a lower layer saw).
import { describe, expect, test } from "bun:test";
import {
  AbortError,
  ConfigurationError,
  ConflictError,
  CsvError,
  DataDeletionError,
  DataDeletionJobFailedError,
  LimitExceededException,
  NetworkError,
  RequestTimeoutError,
  ResourceNotFoundException,
  RoomTimeoutError,
  S3Error,
  ServiceError,
  ValidationError,
  WaiterTimeoutError,
} from "../src/index.ts";

test("an error's JSON form has name, message and its own fields, never its cause", () => {
  const cause = new Error("SECRET-IN-CAUSE wJalrXUtnFEMI");
  const error = new ConflictError("taken", { cause });
  const json = JSON.parse(JSON.stringify(error));
  expect(json).toMatchObject({ name: "ConflictError", message: "taken", retryable: false });
  expect(JSON.stringify(error)).not.toContain("SECRET-IN-CAUSE");
  expect(error.cause).toBe(cause);
});

describe("names and retryable", () => {
  test("every class is named after itself and is a DataDeletionError and an Error", () => {
    const errors: [DataDeletionError, string][] = [
      [new ConfigurationError("c"), "ConfigurationError"],
      [new ConflictError("c"), "ConflictError"],
      [new CsvError("r"), "CsvError"],
      [new ValidationError([]), "ValidationError"],
      [new NetworkError("n"), "NetworkError"],
      [new RequestTimeoutError("t"), "RequestTimeoutError"],
      [new AbortError(), "AbortError"],
      [new ResourceNotFoundException("m", { httpStatus: 400 }), "ResourceNotFoundException"],
      [new S3Error("m", { httpStatus: 404 }), "S3Error"],
    ];
    for (const [error, name] of errors) {
      expect([error.name, error instanceof DataDeletionError, error instanceof Error]).toEqual([
        name,
        true,
        true,
      ]);
      expect(JSON.parse(JSON.stringify(error)).name).toBe(name);
    }
  });

  test("a service error takes the service's code as its name, as the AWS SDK does", () => {
    const error = new ServiceError("Rate exceeded", {
      httpStatus: 400,
      code: "ThrottlingException",
      requestId: "r-1",
    });
    expect([error.name, error.httpStatus, error.requestId]).toEqual(["ThrottlingException", 400, "r-1"]);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "ThrottlingException",
      message: "Rate exceeded",
      retryable: false,
      httpStatus: 400,
      requestId: "r-1",
    });
    // A modeled class keeps its own name unless a code is given.
    expect(new LimitExceededException("x", { httpStatus: 400 }).name).toBe("LimitExceededException");
  });

  test("retryable: network trouble yes, by default no, a service error as told", () => {
    expect(new NetworkError("reset").retryable).toBe(true);
    expect(new RequestTimeoutError("slow").retryable).toBe(true);
    expect(new DataDeletionError("x").retryable).toBe(false);
    expect(new ConflictError("x").retryable).toBe(false);
    expect(new AbortError().retryable).toBe(false);
    expect(new ServiceError("x", { httpStatus: 503, retryable: true }).retryable).toBe(true);
    expect(new ServiceError("x", { httpStatus: 400 }).retryable).toBe(false);
  });

  test("an abort keeps the signal's reason as its cause, out of its JSON", () => {
    const reason = new Error("user cancelled");
    const error = new AbortError(reason);
    expect([error.message, error.cause]).toEqual(["the operation was aborted", reason]);
    expect(JSON.stringify(error)).not.toContain("user cancelled");
    expect("cause" in new AbortError()).toBe(false);
  });
});

describe("messages and fields", () => {
  test("ValidationError: context, the first issue's path, rule and what was received, and how many more", () => {
    const issues = [
      { path: "jobName", rule: "at most 63 characters", received: '"x..."' },
      { path: "roleArn", rule: "r", received: "1" },
      { path: "tags.0.tagKey", rule: "r", received: "2" },
    ];
    const error = new ValidationError(issues, "deleteUsers");
    expect(error.message).toBe('deleteUsers: jobName: at most 63 characters, received "x..." (and 2 more)');
    expect(error.issues).toBe(issues);
    expect(new ValidationError(issues.slice(0, 1)).message).toBe(
      'jobName: at most 63 characters, received "x..."',
    );
    expect(new ValidationError([]).message).toBe("invalid input");
  });

  test("CsvError: the file and line before the reason, each kept apart", () => {
    const both = new CsvError("bad id", 3, "b.csv");
    expect([both.message, both.reason, both.line, both.file]).toEqual([
      "b.csv line 3: bad id",
      "bad id",
      3,
      "b.csv",
    ]);
    expect(new CsvError("bad id", 7).message).toBe("line 7: bad id");
    expect(new CsvError("bad id", undefined, "a.csv").message).toBe("a.csv: bad id");
    expect(new CsvError("the file is empty").message).toBe("the file is empty");
  });

  test("DataDeletionJobFailedError says the job, the reason and where its input is kept", () => {
    const job = { dataDeletionJobArn: "arn:job", status: "FAILED" as const, failureReason: "no access" };
    const kept = new DataDeletionJobFailedError(job, { keptAt: "s3://b/k.csv", jobs: [] });
    expect(kept.message).toBe(
      "data deletion job arn:job FAILED: no access; its input is kept at s3://b/k.csv so the job can be retried",
    );
    expect([kept.failureReason, kept.dataDeletionJobArn, kept.job, kept.keptAt]).toEqual([
      "no access",
      "arn:job",
      job,
      "s3://b/k.csv",
    ]);
    expect(new DataDeletionJobFailedError({}).message).toBe(
      "data deletion job (unknown) FAILED: no reason given",
    );
  });

  test("the waits' timeouts say how long, in whole seconds, and where things stood", () => {
    const waiter = new WaiterTimeoutError("arn:job", "IN_PROGRESS", 90_400);
    expect(waiter.message).toBe(
      "gave up waiting for arn:job after 90 s (last status IN_PROGRESS); the job goes on",
    );
    expect(new WaiterTimeoutError("arn:job", undefined, 1_600).message).toContain(
      "after 2 s (last status unknown)",
    );
    const room = new RoomTimeoutError("arn:dsg", "job-part-2", 5, 5, 600_000);
    expect(room.message).toBe("no room for job-part-2 after 600 s: 5 jobs PENDING in arn:dsg, limit 5");
    expect([room.datasetGroupArn, room.jobName, room.pending, room.limit, room.elapsedMs]).toEqual([
      "arn:dsg",
      "job-part-2",
      5,
      5,
      600_000,
    ]);
  });
});
