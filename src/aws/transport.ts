import { AwsV4Signer } from "aws4fetch";
import {
  AbortError,
  ConfigurationError,
  DataDeletionError,
  NetworkError,
  RequestTimeoutError,
} from "../errors.ts";
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_RETRY_AFTER_MS, retryAfterMs, retryDelay } from "./retry.ts";

/** AWS credentials. Use temporary ones (with `sessionToken`) where you can. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** Credentials, or a function that returns them (called before each request, so it can rotate them). */
export type CredentialsProvider = Credentials | (() => Credentials | Promise<Credentials>);

/** Receives debug lines; secrets are redacted before they get here. */
export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
}

/** The part of `fetch` this package uses; pass your own (a Worker's service binding, a test server's). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options of the signed transport. */
export interface TransportOptions {
  region: string;
  credentials: CredentialsProvider;
  /** Total tries per request, the first included (default {@link DEFAULT_MAX_ATTEMPTS}). */
  maxAttempts?: number;
  /**
   * The longest wait an answer's `Retry-After` header is obeyed for before the next try (default
   * {@link DEFAULT_MAX_RETRY_AFTER_MS}, 20 s); a longer ask waits this long.
   */
  maxRetryAfterMs?: number;
  /** Deadline of one try, response body included (default 30 s). */
  requestTimeoutMs?: number;
  fetch?: FetchLike;
  /**
   * Send byte bodies as a one-chunk stream with their Content-Length (see `streamUploads` of the client;
   * default: where the global fetch is Node's and no `fetch` is given).
   */
  streamUploads?: boolean;
  logger?: Logger;
  /** For tests: a clock for signing dates and a sleep that need not really wait. */
  now?: () => Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** Options of one call of {@link Transport.send}. */
export interface SendOptions {
  /**
   * Total tries for this call, the first included, instead of the transport's `maxAttempts`: `1` for a
   * request that must not be repeated blindly (a retry whose first answer was lost would act twice).
   */
  maxAttempts?: number | undefined;
}

/** One request to sign and send. */
export interface OutgoingRequest {
  service: "personalize" | "s3";
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  signal?: AbortSignal | undefined;
  /** A short name for logs, e.g. `CreateDataDeletionJob` or `PutObject`. */
  operation: string;
}

const REDACTED = new Set(["authorization", "x-amz-security-token", "x-amz-signature", "x-amz-credential"]);

/** Copies headers for a log line with credentials and signatures replaced by `[redacted]`. */
export function redactHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new Headers(headers)) out[name] = REDACTED.has(name) ? "[redacted]" : value;
  return out;
}

/**
 * Whether the global fetch is Node's (undici), which Node names in `process.versions`. Bun and Deno do not:
 * Deno sends a streamed body chunked whatever Content-Length it is given, and S3 refuses that.
 */
function fetchIsUndici(): boolean {
  return (
    typeof (globalThis as { process?: { versions?: { undici?: unknown } } }).process?.versions?.undici ===
    "string"
  );
}

function checkAttempts(maxAttempts: number): void {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new ConfigurationError(`maxAttempts must be a whole number of at least 1, received ${maxAttempts}`);
  }
}

/** What one try's answer said about the next try, when it had an answer at all. */
interface Answered {
  retryAfterMs?: number | undefined;
}

/** Waits `ms`, or rejects with {@link AbortError} as soon as `signal` fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Signs requests with SigV4 (aws4fetch's signer; its own retry loop is not used) and sends them with one
 * retry policy for every failure: throttling, 5xx and network errors are retried with capped exponential
 * backoff and full jitter (longer when the answer's `Retry-After` asks for it), each try under its own
 * deadline, the whole call under the caller's signal.
 */
export class Transport {
  readonly region: string;
  readonly maxAttempts: number;
  readonly maxRetryAfterMs: number;
  readonly requestTimeoutMs: number;
  private readonly credentials: CredentialsProvider;
  private readonly fetchFn: FetchLike;
  private readonly streamUploads: boolean;
  private readonly logger: Logger | undefined;
  private readonly now: () => Date;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  // aws4fetch caches derived signing keys in whatever map it is given; one key per day and service is enough.
  private readonly keyCache = new Map<string, ArrayBuffer>();

  constructor(options: TransportOptions) {
    this.region = options.region;
    this.credentials = options.credentials;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    checkAttempts(this.maxAttempts);
    if (!(this.maxRetryAfterMs >= 0)) {
      throw new ConfigurationError(
        `maxRetryAfterMs must be a number of at least 0, received ${this.maxRetryAfterMs}`,
      );
    }
    if (!(this.requestTimeoutMs > 0)) {
      throw new ConfigurationError(
        `requestTimeoutMs must be a positive number, received ${this.requestTimeoutMs}`,
      );
    }
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.streamUploads = options.streamUploads ?? (!options.fetch && fetchIsUndici());
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
  }

  /**
   * Sends `request`, handing each response to `read`, which returns the result or throws; a thrown
   * {@link DataDeletionError} with `retryable` set leads to another try while tries are left (the
   * transport's `maxAttempts`, or this call's).
   */
  async send<T>(
    request: OutgoingRequest,
    read: (response: Response) => Promise<T>,
    options: SendOptions = {},
  ): Promise<T> {
    const maxAttempts = options.maxAttempts ?? this.maxAttempts;
    checkAttempts(maxAttempts);
    for (let attempt = 1; ; attempt++) {
      const answer: Answered = {};
      try {
        return await this.attempt(request, read, attempt, answer);
      } catch (error) {
        const retryable = error instanceof DataDeletionError && error.retryable;
        if (!retryable || attempt >= maxAttempts) throw error;
        const delay = retryDelay(attempt, this.random, answer.retryAfterMs, this.maxRetryAfterMs);
        this.logger?.debug?.(`${request.operation}: retrying in ${delay} ms`, {
          attempt,
          maxAttempts,
          retryAfterMs: answer.retryAfterMs,
          error: (error as Error).name,
          message: (error as Error).message,
        });
        await this.sleep(delay, request.signal);
      }
    }
  }

  private async attempt<T>(
    request: OutgoingRequest,
    read: (r: Response) => Promise<T>,
    attempt: number,
    answer: Answered,
  ): Promise<T> {
    const { signal } = request;
    if (signal?.aborted) throw new AbortError(signal.reason);
    const signed = await this.sign(request);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.requestTimeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const started = Date.now();
    try {
      const body = request.body;
      const stream = this.streamUploads && body instanceof Uint8Array;
      if (stream) signed.headers.set("content-length", `${body.length}`);
      const response = await this.fetchFn(signed.url, {
        method: request.method,
        headers: signed.headers,
        // A new stream each try, over the same bytes, so a retry re-sends all of them.
        body: stream
          ? new ReadableStream({
              start(c) {
                c.enqueue(body);
                c.close();
              },
            })
          : ((body ?? null) as BodyInit | null),
        signal: controller.signal,
        ...(stream && { duplex: "half" }),
      });
      this.logger?.debug?.(
        `${request.operation}: ${request.method} ${request.url}: HTTP ${response.status} in ${Date.now() - started} ms`,
        {
          attempt,
          headers: redactHeaders(signed.headers),
          requestId:
            response.headers.get("x-amzn-requestid") ?? response.headers.get("x-amz-request-id") ?? undefined,
        },
      );
      answer.retryAfterMs = retryAfterMs(response.headers, this.now().getTime());
      return await read(response);
    } catch (error) {
      if (signal?.aborted) throw new AbortError(signal.reason);
      const { host } = new URL(request.url);
      if (timedOut) {
        throw new RequestTimeoutError(
          `${request.operation}: no complete answer from ${host} within ${this.requestTimeoutMs} ms`,
          error,
        );
      }
      if (error instanceof DataDeletionError) throw error;
      // Node and Deno say only "fetch failed"; the innermost cause says why (ECONNREFUSED, DNS, TLS).
      let inner = error as Error;
      while (inner.cause instanceof Error) inner = inner.cause;
      const reason = inner instanceof Error ? inner.message : String(error);
      throw new NetworkError(`${request.operation}: ${request.method} ${host} failed: ${reason}`, error);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  private async sign(request: OutgoingRequest): Promise<{ url: string; headers: Headers }> {
    const credentials = await this.resolveCredentials();
    if (this.keyCache.size > 8) this.keyCache.clear();
    const signer = new AwsV4Signer({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body as BodyInit | undefined,
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      service: request.service,
      region: this.region,
      cache: this.keyCache,
      datetime: this.now()
        .toISOString()
        .replace(/[:-]|\.\d{3}/g, ""),
    });
    const signed = await signer.sign();
    return { url: signed.url.toString(), headers: signed.headers };
  }

  private async resolveCredentials(): Promise<Credentials> {
    let credentials: Credentials;
    try {
      credentials = typeof this.credentials === "function" ? await this.credentials() : this.credentials;
    } catch (cause) {
      throw new ConfigurationError("the credentials function failed", { cause });
    }
    if (!credentials?.accessKeyId || !credentials.secretAccessKey) {
      throw new ConfigurationError("credentials need an accessKeyId and a secretAccessKey");
    }
    return credentials;
  }
}
