// The retry policy on its own: backoff timing and what each protocol's error answers count as transient.
// The messages and codes are the shapes AWS answers with (see test/fixtures/model/aws-sdk-v3-wire-capture.json).
import { describe, expect, test } from "bun:test";
import {
  backoffDelay,
  DEFAULT_MAX_ATTEMPTS,
  isRateLimitMessage,
  isRetryableJsonError,
  isRetryableS3Error,
} from "../src/retry.ts";

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
