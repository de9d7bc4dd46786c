import type { ErasureReceipt } from "./erasure/types.ts";
import type { DataDeletionJob, DeletionJobResult } from "./model/types.ts";

/** The stage a run was in, as its `stage` progress events name them. */
export type RunStage = "preflight" | "upload" | "wait" | "outside" | "cleanup" | "retrain" | "receipt";

/**
 * What a run of `deleteUsers`, `eraseUsers` or `continueErasure` had done when it failed or stopped waiting,
 * so that a caller reports it without rebuilding it from progress events. It holds no user id.
 */
export interface PartialResult {
  /** Every job made or adopted so far, in order; `status` is the one last seen (absent: never waited for). */
  jobs: DeletionJobResult[];
  /** The stage it stopped in. */
  stage?: RunStage;
  /** The ids prepared (unique) and the duplicates removed; absent for a given `dataLocation`. */
  userCount?: number;
  duplicateCount?: number;
  /**
   * The erasure's receipt: the one a FAILED job's error carries, or, after a wait timed out, where the erasure
   * stands as read from AWS state (absent when that read failed too).
   */
  receipt?: ErasureReceipt;
}

/**
 * Base class of every error this package throws, so callers can tell ours from anything else with one
 * `instanceof DataDeletionError`.
 */
export class DataDeletionError extends Error {
  /** Whether repeating the same call may succeed (throttling, 5xx, network trouble). */
  readonly retryable: boolean;
  /**
   * Set on an error of `deleteUsers`, `eraseUsers` or `continueErasure` thrown once something was done (ids
   * prepared, a job made or adopted): what was done, and where the run stopped.
   */
  declare partial?: PartialResult;

  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }

  /**
   * A plain form for logs and `--json` output: name, message and the error's own fields, `partial` among
   * them (never a cause; no user id: a run keeps none).
   */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), name: this.name, message: this.message };
  }
}

/**
 * Records on `error` what the run had done, and returns it to be thrown. What a deeper stage recorded wins;
 * a job a wait gave up on gets the status last seen. Nothing done, nothing recorded; not ours, left as it is.
 */
export function withPartial(error: unknown, partial: PartialResult): unknown {
  if (!(error instanceof DataDeletionError)) return error;
  const merged = { ...partial, ...error.partial };
  if (!merged.jobs.length && merged.userCount === undefined && !merged.receipt) return error;
  const timedOut = error instanceof WaiterTimeoutError ? error : undefined;
  merged.jobs = merged.jobs.map((job) =>
    timedOut && job.dataDeletionJobArn === timedOut.dataDeletionJobArn && !job.status && timedOut.lastStatus
      ? { ...job, status: timedOut.lastStatus as DeletionJobResult["status"] }
      : { ...job },
  );
  error.partial = merged;
  return error;
}

/** One failed rule of one input field. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `tags.3.tagKey`. */
  path: string;
  /** The rule that failed, in words (e.g. `at most 63 characters`). */
  rule: string;
  /** A short, printable rendering of what was received. */
  received: string;
}

/** An input broke a rule of the service model (or of the guide); nothing was sent. */
export class ValidationError extends DataDeletionError {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[], context?: string) {
    const first = issues[0];
    const head = first ? `${first.path}: ${first.rule}, received ${first.received}` : "invalid input";
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(`${context ? `${context}: ` : ""}${head}${more}`);
    this.issues = issues;
  }
}

/** Configuration is missing or wrong (no region, no credentials, a bad endpoint). */
export class ConfigurationError extends DataDeletionError {}

/** A CSV or id list could not be turned into a valid deletion file. `line` is 1-based. */
export class CsvError extends DataDeletionError {
  readonly line: number | undefined;
  /** The file's name, when several files were merged. */
  readonly file: string | undefined;
  /** What is wrong, without the location. */
  readonly reason: string;

  constructor(reason: string, line?: number, file?: string) {
    const where = [file, line === undefined ? undefined : `line ${line}`].filter(Boolean).join(" ");
    super(where ? `${where}: ${reason}` : reason);
    this.line = line;
    this.file = file;
    this.reason = reason;
  }
}

/** Details that every service error carries. */
export interface ServiceErrorDetails {
  httpStatus: number;
  requestId?: string | undefined;
  retryable?: boolean;
  /** The service's own error code, for errors whose class is generic. */
  code?: string;
}

/**
 * An error answered by Personalize or S3. Modeled Personalize exceptions have their own subclass; an
 * unmodeled one (e.g. `AccessDeniedException`, `ThrottlingException`) is a `ServiceError` whose `name` is
 * the service's code, as in the AWS SDK.
 */
export class ServiceError extends DataDeletionError {
  readonly httpStatus: number;
  readonly requestId: string | undefined;

  constructor(message: string, details: ServiceErrorDetails) {
    super(message, { retryable: details.retryable ?? false });
    if (details.code) this.name = details.code;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
  }
}

/** Personalize: a parameter is invalid. */
export class InvalidInputException extends ServiceError {}
/** Personalize: a rate limit or (for deletion jobs) the limit of PENDING jobs per dataset group was hit. */
export class LimitExceededException extends ServiceError {}
/** Personalize: a job with that name already exists. */
export class ResourceAlreadyExistsException extends ServiceError {}
/** Personalize: the resource is in use. */
export class ResourceInUseException extends ServiceError {}
/** Personalize: the dataset group, role or job does not exist. */
export class ResourceNotFoundException extends ServiceError {}
/** Personalize: too many tags. */
export class TooManyTagsException extends ServiceError {}
/** Personalize: the `nextToken` is not valid. */
export class InvalidNextTokenException extends ServiceError {}
/** S3 answered with an XML error (its `Code` is the error's `name`). */
export class S3Error extends ServiceError {}

/** The request could not complete: connection refused or reset, DNS, or the per-request deadline. */
export class NetworkError extends DataDeletionError {
  constructor(message: string, cause?: unknown) {
    super(message, { cause, retryable: true });
  }
}

/** A single request took longer than its deadline (`requestTimeoutMs`). */
export class RequestTimeoutError extends NetworkError {}

/** The caller's `AbortSignal` fired. `cause` is the signal's reason. */
export class AbortError extends DataDeletionError {
  constructor(cause?: unknown) {
    super("the operation was aborted", { cause });
  }
}

/** A data deletion job ended FAILED. */
export class DataDeletionJobFailedError extends DataDeletionError {
  readonly failureReason: string | undefined;
  readonly dataDeletionJobArn: string | undefined;
  /** The job as last described. */
  readonly job: DataDeletionJob;
  /** From `deleteUsers`: every job it made, and where the failed job's input file was kept. */
  readonly jobs: DeletionJobResult[] | undefined;
  readonly keptAt: string | undefined;

  constructor(job: DataDeletionJob, context: { jobs?: DeletionJobResult[]; keptAt?: string } = {}) {
    const kept = context.keptAt ? `; its input is kept at ${context.keptAt} so the job can be retried` : "";
    super(
      `data deletion job ${job.dataDeletionJobArn ?? "(unknown)"} FAILED: ${job.failureReason ?? "no reason given"}${kept}`,
    );
    this.failureReason = job.failureReason;
    this.dataDeletionJobArn = job.dataDeletionJobArn;
    this.job = job;
    this.jobs = context.jobs;
    this.keptAt = context.keptAt;
  }
}

/** The waiter gave up before the job finished. The job itself goes on; `lastStatus` says where it was. */
export class WaiterTimeoutError extends DataDeletionError {
  readonly dataDeletionJobArn: string;
  readonly lastStatus: string | undefined;
  readonly elapsedMs: number;

  constructor(dataDeletionJobArn: string, lastStatus: string | undefined, elapsedMs: number) {
    super(
      `gave up waiting for ${dataDeletionJobArn} after ${Math.round(elapsedMs / 1000)} s (last status ${lastStatus ?? "unknown"}); the job goes on`,
    );
    this.dataDeletionJobArn = dataDeletionJobArn;
    this.lastStatus = lastStatus;
    this.elapsedMs = elapsedMs;
  }
}

/**
 * `deleteUsers` gave up waiting for room under the dataset group's limit of PENDING jobs before it could
 * create `jobName`. Nothing of that job exists yet: running the same call again carries on.
 */
export class RoomTimeoutError extends DataDeletionError {
  readonly datasetGroupArn: string;
  readonly jobName: string;
  /** PENDING jobs at the last look, and the limit they were held against. */
  readonly pending: number;
  readonly limit: number;
  readonly elapsedMs: number;

  constructor(datasetGroupArn: string, jobName: string, pending: number, limit: number, elapsedMs: number) {
    super(
      `no room for ${jobName} after ${Math.round(elapsedMs / 1000)} s: ${pending} jobs PENDING in ${datasetGroupArn}, limit ${limit}`,
    );
    this.datasetGroupArn = datasetGroupArn;
    this.jobName = jobName;
    this.pending = pending;
    this.limit = limit;
    this.elapsedMs = elapsedMs;
  }
}

/**
 * Something already exists that we would otherwise duplicate or overwrite: a job of the same name for a
 * different dataset group or file, or a different object at the upload key.
 */
export class ConflictError extends DataDeletionError {}
