// The retry policy on its own: backoff timing and what each protocol's error answers count as transient.
// The messages and codes are the shapes AWS answers with (see test/fixtures/model/aws-sdk-v3-wire-capture.json).
import { describe, expect, test } from "bun:test";
import {
  backoffDelay,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_RETRY_AFTER_MS,
  isRateLimitMessage,
  isRetryableJsonError,
  isRetryableS3Error,
  retryAfterMs,
  retryDelay,
} from "../../src/aws/retry.ts";

describe("backoffDelay: full jitter under a capped exponential", () => {
  test("a draw of 1 reaches the cap of each try: 200, 400, 800 ms ... never above 20 s", () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, () => 1))).toEqual([200, 400, 800, 1600]);
    expect(backoffDelay(20, () => 1)).toBe(20_000);
  });
  test("a draw of 0 retries at once, and every draw stays between 0 and the cap", () => {
    expect(backoffDelay(3, () => 0)).toBe(0);
    for (let i = 0; i < 200; i++) {
      const attempt = 1 + (i % 12);
      const delay = backoffDelay(attempt, Math.random);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(Math.min(20_000, 100 * 2 ** attempt));
    }
  });
  test("three tries by default, as the AWS SDKs' standard mode", () => {
    expect(DEFAULT_MAX_ATTEMPTS).toBe(3);
  });
});

describe("Personalize (JSON 1.1) answers", () => {
  const retryable: [number, string, string][] = [
    [400, "ThrottlingException", "Rate exceeded"],
    [400, "TooManyRequestsException", "Too many requests"],
    [400, "LimitExceededException", "Rate exceeded"],
    [400, "LimitExceededException", "You have exceeded the allowed number of requests per second"],
    [500, "InternalFailure", "The request processing has failed because of an unknown error."],
    [503, "ServiceUnavailable", "Service unavailable"],
    [429, "Http429", "HTTP 429"],
  ];
  for (const [status, code, message] of retryable) {
    test(`retried: ${status} ${code} "${message}"`, () => {
      expect(isRetryableJsonError(status, code, message)).toBe(true);
    });
  }
  const final: [number, string, string][] = [
    [
      400,
      "LimitExceededException",
      "The maximum number of PENDING data deletion jobs (5) for dataset group x has been reached",
    ],
    [400, "InvalidInputException", "1 validation error detected"],
    [400, "ResourceAlreadyExistsException", "Data deletion job with name x already exists"],
    [403, "AccessDeniedException", "User is not authorized"],
    // S3's throttling code is not a Personalize one.
    [400, "SlowDown", "Please reduce your request rate."],
  ];
  for (const [status, code, message] of final) {
    test(`not retried: ${status} ${code} "${message.slice(0, 40)}"`, () => {
      expect(isRetryableJsonError(status, code, message)).toBe(false);
    });
  }
  test("rate is a word, not a substring: 'generate' and 'separate' are not rate limits", () => {
    expect(isRateLimitMessage("Could not generate the job")).toBe(false);
    expect(isRateLimitMessage("Use a separate dataset group")).toBe(false);
    expect(isRateLimitMessage("Exceeded rate of 10 per second")).toBe(true);
  });

  test("every throttling code the AWS SDKs list is retried", () => {
    for (const code of [
      "ThrottlingException",
      "ThrottledException",
      "TooManyRequestsException",
      "RequestLimitExceeded",
      "RequestThrottled",
      "RequestThrottledException",
    ]) {
      expect({ code, retried: isRetryableJsonError(400, code, "") }).toEqual({ code, retried: true });
    }
    expect(isRetryableJsonError(400, "ThrottlingExceptionX", "")).toBe(false);
  });

  test("a message about the PENDING limit is never a rate limit, whatever else it says", () => {
    expect(isRateLimitMessage("Rate exceeded")).toBe(true);
    expect(isRateLimitMessage("too many PENDING jobs; rate limited")).toBe(false);
  });
});

describe("S3 (XML) answers", () => {
  test("SlowDown, RequestTimeout, InternalError, ConditionalRequestConflict, 5xx and 429 are retried", () => {
    expect(isRetryableS3Error(503, "SlowDown")).toBe(true);
    expect(isRetryableS3Error(409, "ConditionalRequestConflict")).toBe(true);
    expect(isRetryableS3Error(400, "RequestTimeout")).toBe(true);
    expect(isRetryableS3Error(500, "InternalError")).toBe(true);
    expect(isRetryableS3Error(502, "Http502")).toBe(true);
    expect(isRetryableS3Error(429, "Http429")).toBe(true);
  });
  test("refusals are final", () => {
    for (const [status, code] of [
      [403, "AccessDenied"],
      [403, "SignatureDoesNotMatch"],
      [412, "PreconditionFailed"],
      [404, "NoSuchBucket"],
      [400, "ThrottlingException"],
    ] as const) {
      expect(isRetryableS3Error(status, code)).toBe(false);
    }
  });
});

describe("retryAfterMs: what an answer's Retry-After asks for", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  const read = (headers: Record<string, string>) => retryAfterMs(new Headers(headers), now);
  test("seconds (whole or decimal) in ms; none, empty or unreadable is undefined", () => {
    expect(read({ "retry-after": "3" })).toBe(3000);
    expect(read({ "retry-after": " 1.5 " })).toBe(1500);
    expect(read({ "retry-after": "0" })).toBe(0);
    for (const value of ["", "soon", "-5", "3s", "1 2"])
      expect(read({ "retry-after": value })).toBeUndefined();
    expect(read({})).toBeUndefined();
  });
  test("an HTTP date: from the answer's Date header when it has one, else from now; a past date is 0", () => {
    const at = new Date(now + 9000).toUTCString();
    expect(read({ "retry-after": at })).toBe(9000);
    expect(read({ "retry-after": at, date: new Date(now + 4000).toUTCString() })).toBe(5000);
    expect(read({ "retry-after": new Date(now - 9000).toUTCString() })).toBe(0);
    // RFC 850's form, one of the obsolete ones RFC 9110 says a recipient must accept.
    expect(read({ "retry-after": "Sunday, 01-Mar-26 12:00:02 GMT" })).toBe(2000);
  });
  test("x-amz-retry-after is not read (documented by neither S3 nor Personalize)", () => {
    expect(read({ "x-amz-retry-after": "2500" })).toBeUndefined();
  });
});

describe("retryDelay: the backoff, stretched by a Retry-After up to its cap", () => {
  test("the longer of the two, the ask capped at 20 s by default or at the given cap", () => {
    expect(retryDelay(1, () => 1, undefined)).toBe(200);
    expect(retryDelay(1, () => 1, 3000)).toBe(3000);
    expect(retryDelay(3, () => 1, 100)).toBe(800);
    expect(retryDelay(1, () => 0, 86_400_000)).toBe(DEFAULT_MAX_RETRY_AFTER_MS);
    expect(DEFAULT_MAX_RETRY_AFTER_MS).toBe(20_000);
    expect(retryDelay(1, () => 0, 86_400_000, 1500)).toBe(1500);
  });
});
