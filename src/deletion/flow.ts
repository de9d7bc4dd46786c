// The deletion flow as named stages: plan, then for each part upload and create-with-room, then await and
// clean up. Each stage takes only what it calls (the jobs client and an S3 target), so the client class,
// the CLI, the action and the Worker all run this one flow.

import { sha256Hex } from "../aws/hash.ts";
import { type Pace, poll } from "../aws/poll.ts";
import { parseS3Uri, putObjectOnce, type S3Target } from "../aws/s3.ts";
import { eraseObject } from "../aws/s3-versions.ts";
import {
  ConflictError,
  DataDeletionJobFailedError,
  LimitExceededException,
  RoomTimeoutError,
  ServiceError,
  ValidationError,
} from "../errors.ts";
import { CreateDataDeletionJobInputSchema, validate } from "../model/schemas.ts";
import type { CreateDataDeletionJobInput, DataDeletionJob, DeletionJobResult, Tag } from "../model/types.ts";
import { type PreparedDeletionFile, prepareUsers, type UsersInput } from "./file.ts";
import { type CallOptions, checkArnRegion, type DataDeletionJobsClient } from "./jobs-client.ts";
import { type ListDigest, listTags } from "./names.ts";
import { type PlannedPart, planParts, uniqueSuffix } from "./upload-plan.ts";
import type { PollEvent, WaitOptions } from "./waiter.ts";

export type { DeletionJobResult } from "../model/types.ts";

/** Input of `deleteUsers`: the ids and where to upload them, or a deletion file already in S3. */
export interface DeleteUsersInput {
  /** The ids (array or iterable) or a file prepared by `prepareDeletionCsv`; with `s3Uri`. */
  users?: UsersInput;
  /** `s3://bucket/prefix/` (a key named after the job is chosen) or `s3://bucket/key.csv`; with `users`. */
  s3Uri?: string;
  /**
   * Instead of `users` and `s3Uri`: a CSV (or a folder of them) already in S3, which the job reads as it
   * is. The flow did not write it, so it never deletes it.
   */
  dataLocation?: string;
  datasetGroupArn: string;
  /** The Personalize service role that can read the bucket. */
  roleArn: string;
  /**
   * Default `delete-users-<time>-<random>`; parts of a split list get `-part-N`. A function gets the
   * prepared list's digest (never the ids) and returns the name, so that a name can follow the list: see
   * `nameForList`. A job of that name is adopted only when it was made from the same list.
   */
  jobName?: string | ((list: ListDigest) => string);
  tags?: Tag[];
  /** Wait for the job(s) to finish: `true` or the waiter's options. */
  wait?: boolean | WaitOptions;
  /** Keep the uploaded CSV (personal data) after a COMPLETED job (default: delete it). */
  keepUploadedFile?: boolean;
  /** Replace a different object already at the upload key. */
  overwrite?: boolean;
  /** Size cap of one deletion file (default 50 MB, the guide's cap per job). */
  maxFileBytes?: number;
  /** Trim whitespace around ids instead of refusing them (default `false`; see `PrepareOptions.trimIds`). */
  trimIds?: boolean;
  /** The largest list to prepare (default 1 GB; see `PrepareOptions.maxListBytes`). */
  maxListBytes?: number;
  /** PENDING jobs allowed per dataset group (default 5, the service's limit). */
  maxPendingJobs?: number;
  /** Throw DataDeletionJobFailedError when a waited job FAILED (default `true`). */
  failOnJobFailure?: boolean;
  signal?: AbortSignal;
  /** Progress of each phase, for logs and progress bars. */
  onProgress?: (event: DeleteUsersEvent) => void;
}

/** A step of `deleteUsers`. */
export type DeleteUsersEvent =
  | { phase: "prepare"; userCount: number; duplicateCount: number; bytes: number; files: number }
  /** `heartbeat` as in {@link PollEvent}: true at least every 30 s of the wait for room. */
  | { phase: "room"; pending: number; limit: number; elapsedMs: number; heartbeat?: boolean }
  | { phase: "upload"; dataLocation: string; bytes: number; created: boolean }
  | { phase: "create"; jobName: string; dataDeletionJobArn: string; adopted: boolean }
  | ({ phase: "wait"; jobName: string } & PollEvent)
  /** `versionsDeleted`: how many versions (and delete markers) of the key were deleted. */
  | { phase: "cleanup"; dataLocation: string; versionsDeleted?: number };

/** Output of `deleteUsers`. */
export interface DeleteUsersOutput {
  jobs: DeletionJobResult[];
  userCount: number;
  duplicateCount: number;
  bytes: number;
}

/** What the stages call: the jobs client's operations and an S3 target. */
export interface FlowContext {
  jobs: Pick<
    DataDeletionJobsClient,
    | "createDataDeletionJob"
    | "waitForDataDeletionJob"
    | "paginateDataDeletionJobs"
    | "findAdoptableJob"
    | "clock"
    | "region"
  >;
  s3: S3Target;
}

/** The guide's limit of PENDING data deletion jobs per dataset group. */
export const DEFAULT_MAX_PENDING_JOBS = 5;

// A PENDING job takes minutes to hours to start: looking for room more often than this only costs calls.
const ROOM_PACE: Pace = { minDelayMs: 30_000, maxDelayMs: 300_000 };

/** One part of a plan: where its file goes, its job's validated create request, and its file's digest. */
export type PlannedDeletion = PlannedPart & {
  request: CreateDataDeletionJobInput;
  /** SHA-256 (hex) of the part's file, also in the request's `erasure-sha256` tag; absent for a given `dataLocation`. */
  sha256?: string;
  /** Unique ids in the part's file; absent for a given `dataLocation`. */
  userCount?: number;
  /** The part's file, to upload; absent for a given `dataLocation`. */
  body?: Uint8Array;
};

/** What `planDeletion` decided: the parts, each with its validated create request. */
export interface DeletionPlan {
  /** The job name: as given, derived from the list, or the default. Parts of a split list add `-part-N`. */
  jobName: string;
  parts: PlannedDeletion[];
  /** Where the parts go when the flow uploads them; absent for a given `dataLocation`. */
  bucket: string | undefined;
  /** The files to upload (none for a given `dataLocation`). */
  prepared: PreparedDeletionFile;
}

const NOTHING_PREPARED: PreparedDeletionFile = { files: [], userCount: 0, duplicateCount: 0, bytes: 0 };

/**
 * Stage 1: checks every input and every part's create request before anything is sent, and prepares the
 * ids. A job name too long for its `-part-N` suffix fails here, not after the first upload.
 */
export async function planDeletion(context: FlowContext, input: DeleteUsersInput): Promise<DeletionPlan> {
  const given = input.jobName;
  const fallback = `delete-users-${uniqueSuffix(context.jobs.clock).replace("T", "-")}`;
  const request = (part: PlannedPart, tags: Tag[] = []): CreateDataDeletionJobInput =>
    validate(
      CreateDataDeletionJobInputSchema,
      {
        jobName: part.jobName,
        datasetGroupArn: input.datasetGroupArn,
        roleArn: input.roleArn,
        dataSource: { dataLocation: part.dataLocation },
        ...(input.tags || tags.length > 0 ? { tags: [...(input.tags ?? []), ...tags] } : {}),
      },
      "deleteUsers",
    );
  if ((input.dataLocation === undefined) === (input.users === undefined)) {
    throw new ValidationError(
      [
        {
          path: "users",
          rule: "give users and s3Uri, or dataLocation",
          received: typeof input.users,
        },
      ],
      "deleteUsers",
    );
  }
  if (typeof input.datasetGroupArn === "string") checkArnRegion(input.datasetGroupArn, context.jobs.region);
  if (input.users === undefined) {
    // A data location is taken as literally as an upload target: no . or .. segments.
    parseS3Uri(input.dataLocation, "dataLocation");
    if (typeof given === "function") {
      throw new ValidationError(
        [
          {
            path: "jobName",
            rule: "a name derived from the list needs users, not dataLocation",
            received: "a function",
          },
        ],
        "deleteUsers",
      );
    }
    const part = { key: "", dataLocation: input.dataLocation as string, jobName: given ?? fallback };
    return {
      jobName: part.jobName,
      parts: [{ ...part, request: request(part) }],
      bucket: undefined,
      prepared: NOTHING_PREPARED,
    };
  }
  const target = parseS3Uri(input.s3Uri);
  // One part's request is checked before the ids are prepared, so a bad ARN costs no preparation (a name
  // still to be derived from the list is checked once it is).
  const early = typeof given === "string" ? given : fallback;
  request(planParts(target, 1, early)[0] as PlannedPart, listTags("0".repeat(64), 0));
  const prepared = await prepareUsers(input.users, {
    maxFileBytes: input.maxFileBytes,
    trimIds: input.trimIds,
    maxListBytes: input.maxListBytes,
  });
  const digests = await Promise.all(prepared.files.map((file) => sha256Hex(file)));
  const counts = prepared.files.map(countLines);
  const list: ListDigest = {
    sha256:
      digests.length === 1
        ? (digests[0] as string)
        : await sha256Hex(new TextEncoder().encode(digests.join("\n"))),
    userCount: prepared.userCount,
  };
  const jobName = typeof given === "function" ? given(list) : (given ?? fallback);
  const parts = planParts(target, prepared.files.length, jobName).map((part, i) => ({
    ...part,
    request: request(part, listTags(digests[i] as string, counts[i] as number)),
    body: prepared.files[i] as Uint8Array,
    sha256: digests[i] as string,
    userCount: counts[i] as number,
  }));
  return { jobName, parts, bucket: target.bucket, prepared };
}

// The ids in a prepared file: its lines less the header (an id never holds a newline).
function countLines(file: Uint8Array): number {
  let lines = 0;
  for (let at = file.indexOf(10); at !== -1; at = file.indexOf(10, at + 1)) lines++;
  return lines - 1;
}

/** An error after which no job can exist to read the file: the service refused the create outright. */
export function noJobWillRead(error: unknown): boolean {
  if (error instanceof ConflictError || error instanceof ValidationError) return true;
  return (
    error instanceof ServiceError && !error.retryable && error.httpStatus >= 400 && error.httpStatus < 500
  );
}

/**
 * The data deletion jobs of a dataset group that are PENDING (the guide's limit counts these), other than
 * the job named `except` (a job's own create being retried is not in its way).
 */
export async function countPendingJobs(
  jobs: Pick<DataDeletionJobsClient, "paginateDataDeletionJobs">,
  datasetGroupArn: string,
  options: CallOptions & { except?: string } = {},
): Promise<number> {
  let pending = 0;
  for await (const job of jobs.paginateDataDeletionJobs(
    { datasetGroupArn, pageSize: 100 },
    { signal: options.signal },
  )) {
    if (job.status === "PENDING" && job.jobName !== options.except) pending++;
  }
  return pending;
}

/** Waits until fewer than `limit` jobs of the request's dataset group (other than its job) are PENDING. */
export async function awaitRoom(
  context: FlowContext,
  request: CreateDataDeletionJobInput,
  limit: number,
  options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
  onProgress?: (event: DeleteUsersEvent) => void,
): Promise<void> {
  const { datasetGroupArn, jobName } = request;
  let pending = limit;
  await poll(
    async (signal) => {
      pending = await countPendingJobs(context.jobs, datasetGroupArn, { except: jobName, signal });
      return pending < limit || undefined;
    },
    {
      ...ROOM_PACE,
      ...options,
      onLook: (elapsedMs, error, heartbeat) =>
        error || onProgress?.({ phase: "room", pending, limit, elapsedMs, heartbeat }),
      timedOut: (elapsedMs) => new RoomTimeoutError(datasetGroupArn, jobName, pending, limit, elapsedMs),
    },
    context.jobs.clock,
  );
}

/**
 * Stage 2 (after the upload, `putObjectOnce`): creates the job; when the service has less room than was counted (another creator, or a limit
 * lower than `maxPendingJobs`), waits until fewer jobs are PENDING than there are now, and tries again.
 */
export async function createWithRoom(
  context: FlowContext,
  request: CreateDataDeletionJobInput,
  options: { maxPendingJobs: number; timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
  onProgress?: (event: DeleteUsersEvent) => void,
): Promise<{ dataDeletionJobArn: string; adopted: boolean }> {
  const call = { signal: options.signal };
  for (;;) {
    try {
      const created = await context.jobs.createDataDeletionJob(request, call);
      if (!created.dataDeletionJobArn) {
        throw new ServiceError("CreateDataDeletionJob answered with no job ARN", { httpStatus: 200 });
      }
      return { dataDeletionJobArn: created.dataDeletionJobArn, adopted: created.adopted === true };
    } catch (error) {
      if (!(error instanceof LimitExceededException) || error.retryable) throw error;
      const pendingNow = await countPendingJobs(context.jobs, request.datasetGroupArn, {
        except: request.jobName,
        ...call,
      });
      const limit = Math.max(1, Math.min(options.maxPendingJobs, pendingNow));
      await awaitRoom(context, request, limit, options, onProgress);
    }
  }
}

/** Stage 3: waits for the job to end; a FAILED job is returned, not thrown, so the flow can report all. */
export async function awaitJob(
  context: FlowContext,
  result: DeletionJobResult,
  waitOptions: WaitOptions,
  onProgress?: (event: DeleteUsersEvent) => void,
): Promise<DataDeletionJob> {
  try {
    return await context.jobs.waitForDataDeletionJob(result.dataDeletionJobArn, {
      ...waitOptions,
      onPoll: (event) => {
        waitOptions.onPoll?.(event);
        onProgress?.({ phase: "wait", jobName: result.jobName, ...event });
      },
    });
  } catch (error) {
    if (!(error instanceof DataDeletionJobFailedError)) throw error;
    return error.job;
  }
}

/** What the part loop needs besides the plan: the limits, the caller's choices, and the erasure's hook. */
export interface SubmitOptions {
  maxPendingJobs: number;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Replace a different object already at an upload key. */
  overwrite?: boolean | undefined;
  /** Keep an uploaded file even when its create is refused (default: taken back, as no job will read it). */
  keepUploadedFile?: boolean | undefined;
  onProgress?: ((event: DeleteUsersEvent) => void) | undefined;
  /** Called once, before the first part that has to be uploaded and created (adopted parts need nothing). */
  beforeUpload?: (() => Promise<void>) | undefined;
}

/**
 * Uploads a part's file (conditional PUT, its SHA-256 signed and kept as metadata). Returns whether this
 * call wrote it (`false`: the same bytes were there already).
 */
export async function uploadPart(
  context: FlowContext,
  bucket: string,
  part: PlannedDeletion,
  options: Pick<SubmitOptions, "overwrite" | "signal" | "onProgress">,
): Promise<boolean> {
  const body = part.body as Uint8Array;
  const upload = await putObjectOnce(context.s3, bucket, part.key, body, {
    overwrite: options.overwrite,
    sha256: part.sha256,
    signal: options.signal,
  });
  options.onProgress?.({
    phase: "upload",
    dataLocation: part.dataLocation,
    bytes: body.length,
    created: upload.created,
  });
  return upload.created;
}

/**
 * Creates a job, room permitting. When the service refuses it outright (a name taken by another list's
 * job, say), no job will read the file uploaded for it: every version of it is deleted at once.
 */
export async function createOrTakeBack(
  context: FlowContext,
  request: CreateDataDeletionJobInput,
  upload: { bucket: string; key: string; dataLocation: string } | undefined,
  options: SubmitOptions,
): Promise<{ dataDeletionJobArn: string; adopted: boolean }> {
  try {
    return await createWithRoom(context, request, options, options.onProgress);
  } catch (error) {
    if (upload && !options.keepUploadedFile && noJobWillRead(error)) {
      const erased = await eraseObject(context.s3, upload.bucket, upload.key, options.signal);
      options.onProgress?.({
        phase: "cleanup",
        dataLocation: upload.dataLocation,
        versionsDeleted: erased.versionsDeleted,
      });
    }
    throw error;
  }
}

/**
 * Stage 2, the one part loop: for each part, adopt its job when one of its name was made from the same list
 * (see `findAdoptableJob`); otherwise wait for room (a split list), upload and create. The jobs, in the
 * parts' order.
 */
export async function submitParts(
  context: FlowContext,
  plan: DeletionPlan,
  options: SubmitOptions,
): Promise<DeletionJobResult[]> {
  const { bucket, parts } = plan;
  const { onProgress, signal } = options;
  const jobs: DeletionJobResult[] = [];
  let first = true;
  for (const part of parts) {
    const existing = await context.jobs.findAdoptableJob(part.request, signal);
    let made: { dataDeletionJobArn: string; adopted: boolean };
    if (existing) {
      made = { dataDeletionJobArn: existing.dataDeletionJobArn as string, adopted: true };
    } else {
      if (first) await options.beforeUpload?.();
      first = false;
      if (parts.length > 1)
        await awaitRoom(context, part.request, options.maxPendingJobs, options, onProgress);
      if (bucket !== undefined) await uploadPart(context, bucket, part, options);
      const upload =
        bucket === undefined ? undefined : { bucket, key: part.key, dataLocation: part.dataLocation };
      made = await createOrTakeBack(context, part.request, upload, options);
    }
    onProgress?.({ phase: "create", jobName: part.jobName, ...made });
    jobs.push({
      jobName: part.jobName,
      ...made,
      dataLocation: part.dataLocation,
      uploadedFileDeleted: false,
    });
  }
  return jobs;
}

/** Copies a waited job's outcome onto its result. */
export function settle(result: DeletionJobResult, job: DataDeletionJob): DeletionJobResult {
  return Object.assign(result, {
    status: job.status,
    numDeleted: job.numDeleted,
    failureReason: job.failureReason,
    job,
  });
}

/**
 * The whole flow behind `DataDeletionClient.deleteUsers`: plan; submit the parts; then, when waiting, await
 * each job and delete every version of its file after COMPLETED.
 */
export async function deleteUsers(context: FlowContext, input: DeleteUsersInput): Promise<DeleteUsersOutput> {
  const plan = await planDeletion(context, input);
  const { prepared, bucket, parts } = plan;
  const { onProgress } = input;
  const waitOptions: WaitOptions = typeof input.wait === "object" ? input.wait : {};
  const signal = input.signal ?? waitOptions.signal;
  if (bucket !== undefined) {
    onProgress?.({
      phase: "prepare",
      userCount: prepared.userCount,
      duplicateCount: prepared.duplicateCount,
      bytes: prepared.bytes,
      files: parts.length,
    });
  }
  const jobs = await submitParts(context, plan, {
    maxPendingJobs: input.maxPendingJobs ?? DEFAULT_MAX_PENDING_JOBS,
    timeoutMs: waitOptions.timeoutMs,
    signal,
    overwrite: input.overwrite,
    keepUploadedFile: input.keepUploadedFile,
    onProgress,
  });

  if (input.wait) {
    for (const [i, result] of jobs.entries()) {
      const job = await awaitJob(context, result, { ...waitOptions, signal }, onProgress);
      settle(result, job);
      if (job.status === "COMPLETED" && bucket !== undefined && !input.keepUploadedFile) {
        // The uploaded ids are personal data: every version goes as soon as no job needs them (on a
        // versioned bucket a plain DELETE would only hide them behind a marker).
        const key = (parts[i] as PlannedPart).key;
        const erased = await eraseObject(context.s3, bucket, key, signal);
        result.uploadedFileDeleted = true;
        onProgress?.({
          phase: "cleanup",
          dataLocation: result.dataLocation,
          versionsDeleted: erased.versionsDeleted,
        });
      }
    }
    const failed = jobs.find((j) => j.status === "FAILED");
    if (failed && input.failOnJobFailure !== false) {
      throw new DataDeletionJobFailedError(
        { ...failed.job, dataDeletionJobArn: failed.dataDeletionJobArn },
        { jobs, keptAt: failed.dataLocation },
      );
    }
  }
  return {
    jobs,
    userCount: prepared.userCount,
    duplicateCount: prepared.duplicateCount,
    bytes: prepared.bytes,
  };
}
