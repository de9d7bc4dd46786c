// The one retry policy: how many tries, how long between them, and which answers are worth another try.
// The transport applies it; the protocol modules only describe what they received.

/** Total tries per request, the first included, like the AWS SDKs' standard mode. */
export const DEFAULT_MAX_ATTEMPTS = 3;

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;

/**
 * The pause before try `attempt + 1`: "full jitter" (a uniform draw below an exponentially growing cap),
 * which spreads many clients' retries out instead of bunching them.
 */
export function backoffDelay(attempt: number, random: () => number): number {
  return Math.round(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
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
