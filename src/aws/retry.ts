// The one retry policy: how many tries, how long between them, and which answers are worth another try.
// The transport applies it; the protocol modules only describe what they received.

/** Total tries per request, the first included, like the AWS SDKs' standard mode. */
export const DEFAULT_MAX_ATTEMPTS = 3;

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;

/**
 * The longest wait a `Retry-After` header is obeyed for by default: the backoff's own cap (20 s), as the AWS
 * SDK for JavaScript's standard retry strategy capped it. A longer ask is cut to this, not refused.
 */
export const DEFAULT_MAX_RETRY_AFTER_MS = MAX_DELAY_MS;

/**
 * The pause before try `attempt + 1`: "full jitter" (a uniform draw below an exponentially growing cap),
 * which spreads many clients' retries out instead of bunching them.
 */
export function backoffDelay(attempt: number, random: () => number): number {
  return Math.round(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
}

/**
 * How long an answer asks the client to wait, in ms, from its `Retry-After` header (RFC 9110: seconds, or an
 * HTTP date); `undefined` when there is none or it cannot be read. A date is measured against the answer's own
 * `Date` header when it has one, so a skewed local clock does not stretch or cut the wait; else against `now`.
 * (`x-amz-retry-after`, in ms, is read by the AWS SDK but documented by neither S3 nor Personalize: not read.)
 */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // Every HTTP-date form starts with the day's name; Date.parse alone would read "-5" as a year.
  const at = /^[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  const sent = Date.parse(headers.get("date") ?? "");
  return Math.max(0, at - (Number.isNaN(sent) ? now : sent));
}

/**
 * The pause before try `attempt + 1`: the jittered backoff, or what the answer asked for (`Retry-After`, at most
 * `maxRetryAfterMs`) when that is longer. The header only stretches the wait of an answer the policy retries
 * anyway; it never makes a final answer retryable.
 */
export function retryDelay(
  attempt: number,
  random: () => number,
  retryAfter: number | undefined,
  maxRetryAfterMs = DEFAULT_MAX_RETRY_AFTER_MS,
): number {
  const backoff = backoffDelay(attempt, random);
  return retryAfter === undefined ? backoff : Math.max(backoff, Math.min(retryAfter, maxRetryAfterMs));
}

// The throttling codes of AWS JSON services, as the AWS SDKs list them (ThrottlingException,
// ThrottledException, TooManyRequestsException, RequestLimitExceeded, RequestThrottled[Exception]), and
// S3's transient ones (ConditionalRequestConflict: a concurrent conditional write, which AWS says to retry).
const JSON_THROTTLING =
  /^(Throttl(ing|ed)Exception|TooManyRequestsException|RequestLimitExceeded|RequestThrottled(Exception)?)$/;
const S3_TRANSIENT = /^(SlowDown|RequestTimeout|InternalError|ConditionalRequestConflict)$/;

/**
 * LimitExceededException means both "too many requests per second" (retry) and "too many PENDING deletion
 * jobs" (retrying soon is pointless: a job takes hours). Only a message about rate is taken as the first.
 */
export function isRateLimitMessage(message: string): boolean {
  return /per second|\brate\b|throttl|too many requests/i.test(message) && !/pending/i.test(message);
}

/** Whether a Personalize (JSON 1.1) error answer is worth another try. */
export function isRetryableJsonError(status: number, code: string, message: string): boolean {
  return (
    status >= 500 ||
    status === 429 ||
    JSON_THROTTLING.test(code) ||
    (code === "LimitExceededException" && isRateLimitMessage(message))
  );
}

/** Whether an S3 (XML) error answer is worth another try. */
export function isRetryableS3Error(status: number, code: string): boolean {
  return status >= 500 || status === 429 || S3_TRANSIENT.test(code);
}
