// The transport's retry loop against a scripted fetch and a fake clock: how long it waits between tries
// (the backoff, or longer when an answer's Retry-After asks), and how many tries a call may make.
import { describe, expect, test } from "bun:test";
import { callPersonalize } from "../../src/aws/json-protocol.ts";
import { deleteObject } from "../../src/aws/s3.ts";
import { Transport, type TransportOptions } from "../../src/aws/transport.ts";
import { erasureApi } from "../../src/erasure/api.ts";
import { ConfigurationError, InvalidInputException, S3Error, ServiceError } from "../../src/index.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const ENDPOINT = "https://personalize.us-east-1.amazonaws.com/";

/** A transport whose fetch answers from `answers` (the last repeats); sleeps are recorded, not waited. */
function scripted(answers: (() => Response)[], options: Partial<TransportOptions> = {}) {
  const sleeps: number[] = [];
  let requests = 0;
  const transport = new Transport({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDUNIT", secretAccessKey: "unit-secret" },
    now: () => new Date(NOW),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    // A draw of 1: the backoff is its cap, 200 ms before the second try, 400 ms before the third.
    random: () => 1,
    fetch: async () => (answers[Math.min(requests++, answers.length - 1)] as () => Response)(),
    ...options,
  });
  return { transport, sleeps, requests: () => requests };
}

const throttled = (status: number, headers: Record<string, string>) => () =>
  Response.json({ __type: "ThrottlingException", message: "Rate exceeded" }, { status, headers });
const ok = () => Response.json({ done: true });
const slowDown = (headers: Record<string, string>) => () =>
  new Response("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", {
    status: 503,
    headers,
  });
const describeJob = (transport: Transport) =>
  callPersonalize(transport, ENDPOINT, "DescribeDataDeletionJob", { dataDeletionJobArn: "arn:x" });

describe("Retry-After", () => {
  test("a Personalize 429 with Retry-After: 3 waits 3 s before the next try, not the 200 ms backoff", async () => {
    const s = scripted([throttled(429, { "retry-after": "3" }), ok]);
    expect(await describeJob(s.transport)).toEqual({ done: true });
    expect(s.sleeps).toEqual([3000]);
    expect(s.requests()).toBe(2);
  });

  test("an S3 503 SlowDown with Retry-After: 3 waits 3 s too", async () => {
    const s = scripted([slowDown({ "retry-after": "3" }), () => new Response(null, { status: 204 })]);
    await deleteObject({ transport: s.transport }, "my-bucket", "k.csv");
    expect(s.sleeps).toEqual([3000]);
  });

  test("each try's own answer decides its wait: 3 s, then the backoff when the second answer has none", async () => {
    const s = scripted([throttled(503, { "retry-after": "3" }), throttled(503, {}), ok]);
    await describeJob(s.transport);
    expect(s.sleeps).toEqual([3000, 400]);
  });

  test("an HTTP date is measured against the answer's own Date header, else against the clock", async () => {
    const sent = new Date(NOW - 3_600_000).toUTCString(); // the server's clock an hour behind ours
    const withDate = scripted([
      throttled(503, { date: sent, "retry-after": new Date(NOW - 3_600_000 + 7000).toUTCString() }),
      ok,
    ]);
    await describeJob(withDate.transport);
    expect(withDate.sleeps).toEqual([7000]);

    const withoutDate = scripted([throttled(503, { "retry-after": new Date(NOW + 5000).toUTCString() }), ok]);
    await describeJob(withoutDate.transport);
    expect(withoutDate.sleeps).toEqual([5000]);
  });

  test("an absurd ask is capped at 20 s by default, or at maxRetryAfterMs", async () => {
    const day = scripted([throttled(429, { "retry-after": "86400" }), ok]);
    await describeJob(day.transport);
    expect(day.sleeps).toEqual([20_000]);

    const capped = scripted([throttled(429, { "retry-after": "86400" }), ok], { maxRetryAfterMs: 1500 });
    await describeJob(capped.transport);
    expect(capped.sleeps).toEqual([1500]);
  });

  test("a shorter ask, a past date or an unreadable value leaves the backoff as it is", async () => {
    for (const value of ["0", new Date(NOW - 60_000).toUTCString(), "soon", "-5"]) {
      const s = scripted([throttled(503, { "retry-after": value }), ok]);
      await describeJob(s.transport);
      expect({ value, sleeps: s.sleeps }).toEqual({ value, sleeps: [200] });
    }
  });

  test("a final answer is not retried for carrying Retry-After: a 400 InvalidInputException is sent once", async () => {
    const s = scripted([
      () =>
        Response.json(
          { __type: "InvalidInputException", message: "1 validation error detected" },
          { status: 400, headers: { "retry-after": "3" } },
        ),
      ok,
    ]);
    const error = await describeJob(s.transport).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputException);
    expect([s.requests(), s.sleeps]).toEqual([1, []]);

    const s3 = scripted([
      () =>
        new Response("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", {
          status: 403,
          headers: { "retry-after": "3" },
        }),
    ]);
    const denied = await deleteObject({ transport: s3.transport }, "my-bucket", "k.csv").catch((e) => e);
    expect(denied).toBeInstanceOf(S3Error);
    expect([s3.requests(), s3.sleeps]).toEqual([1, []]);
  });

  test("the tries still end at maxAttempts, each waiting what its answer asked", async () => {
    const s = scripted([throttled(429, { "retry-after": "2" })]);
    const error = await describeJob(s.transport).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).name).toBe("ThrottlingException");
    expect([s.requests(), s.sleeps]).toEqual([3, [2000, 2000]]);
  });

  test("a negative or non-numeric maxRetryAfterMs is refused, naming it", () => {
    for (const maxRetryAfterMs of [-1, Number.NaN]) {
      expect(() => scripted([ok], { maxRetryAfterMs })).toThrow(ConfigurationError);
      expect(() => scripted([ok], { maxRetryAfterMs })).toThrow(
        /^maxRetryAfterMs must be a number of at least 0/,
      );
    }
  });
});

describe("a single try is an option of the call", () => {
  const unavailable = () => Response.json({ __type: "ServiceUnavailable", message: "busy" }, { status: 503 });
  const request = {
    service: "personalize" as const,
    operation: "DescribeDataDeletionJob",
    method: "POST",
    url: ENDPOINT,
    headers: {},
    body: "{}",
  };
  const read = async (response: Response) => {
    const text = await response.text();
    if (!response.ok) throw new ServiceError(text, { httpStatus: response.status, retryable: true });
    return text;
  };

  test("send(…, { maxAttempts: 1 }) tries once; the same transport's other calls keep its own maxAttempts", async () => {
    const s = scripted([unavailable]);
    await expect(s.transport.send(request, read, { maxAttempts: 1 })).rejects.toBeInstanceOf(ServiceError);
    expect([s.requests(), s.sleeps]).toEqual([1, []]);
    await expect(s.transport.send(request, read)).rejects.toBeInstanceOf(ServiceError);
    expect(s.requests()).toBe(1 + 3);
    await expect(s.transport.send(request, read, { maxAttempts: 5 })).rejects.toBeInstanceOf(ServiceError);
    expect(s.requests()).toBe(1 + 3 + 5);
  });

  test("a call's maxAttempts that is not a whole number of at least 1 is refused before anything is sent", async () => {
    const s = scripted([ok]);
    for (const maxAttempts of [0, 1.5, Number.NaN]) {
      await expect(s.transport.send(request, read, { maxAttempts })).rejects.toThrow(
        `maxAttempts must be a whole number of at least 1, received ${maxAttempts}`,
      );
    }
    expect(s.requests()).toBe(0);
  });

  test("the erasure's callOnce (UpdateCampaign) is one try through the same transport; call retries", async () => {
    const s = scripted([unavailable]);
    const api = erasureApi(s.transport, ENDPOINT);
    const update = {
      campaignArn: "arn:aws:personalize:us-east-1:123456789012:campaign/shop",
      solutionVersionArn: "arn:aws:personalize:us-east-1:123456789012:solution/shop/abc123",
    };
    await expect(api.callOnce("UpdateCampaign", update)).rejects.toBeInstanceOf(ServiceError);
    expect([s.requests(), s.sleeps]).toEqual([1, []]);
    await expect(api.call("DescribeCampaign", { campaignArn: update.campaignArn })).rejects.toBeInstanceOf(
      ServiceError,
    );
    expect([s.requests(), s.sleeps]).toEqual([4, [200, 400]]);
  });
});
