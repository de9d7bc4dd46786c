// The deletion flow as named stages: plan, then for each part adopt, or upload and create-with-room, then
// await and clean up. Each stage takes only what it calls (the jobs client and an S3 target), so the client
// class, the erasure, the CLI, the action and the Worker all run this one flow.
import { putObjectOnce } from "../aws/s3.ts";
import { eraseObject } from "../aws/s3-versions.ts";
import {
  ConflictError,
  DataDeletionJobFailedError,
  ServiceError,
  ValidationError,
  withPartial,
} from "../errors.ts";
import type { CreateDataDeletionJobInput, DataDeletionJob, DeletionJobResult } from "../model/types.ts";
import type { DeleteUsersEvent, DeleteUsersInput, DeleteUsersOutput, FlowContext } from "./context.ts";
import { type DeletionPlan, type PlannedDeletion, planDeletion } from "./plan.ts";
import { awaitRoom, createWithRoom, DEFAULT_MAX_PENDING_JOBS } from "./room.ts";
import type { PlannedPart } from "./upload-plan.ts";
import type { WaitOptions } from "./waiter.ts";

export type { DeletionJobResult } from "../model/types.ts";
export type { DeleteUsersEvent, DeleteUsersInput, DeleteUsersOutput, FlowContext } from "./context.ts";
export { type DeletionPlan, type PlannedDeletion, planDeletion } from "./plan.ts";
export { awaitRoom, countPendingJobs, createWithRoom, DEFAULT_MAX_PENDING_JOBS } from "./room.ts";

/** An error after which no job can exist to read the file: the service refused the create outright. */
export function noJobWillRead(error: unknown): boolean {
  if (error instanceof ConflictError || error instanceof ValidationError) return true;
  return (
    error instanceof ServiceError && !error.retryable && error.httpStatus >= 400 && error.httpStatus < 500
  );
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
  const jobs: DeletionJobResult[] = [];
  try {
    return await submitEach(context, plan, options, jobs);
  } catch (error) {
    throw withPartial(error, { jobs });
  }
}

// The part loop itself, adding each job to `jobs` as it is made, so that a failure can say what was.
async function submitEach(
  context: FlowContext,
  plan: DeletionPlan,
  options: SubmitOptions,
  jobs: DeletionJobResult[],
): Promise<DeletionJobResult[]> {
  const { bucket, parts } = plan;
  const { onProgress, signal } = options;
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
  // What a failure says was done: the ids prepared (none for a given data location) and the jobs so far.
  const figures =
    bucket === undefined ? {} : { userCount: prepared.userCount, duplicateCount: prepared.duplicateCount };
  const jobs = await submitParts(context, plan, {
    maxPendingJobs: input.maxPendingJobs ?? DEFAULT_MAX_PENDING_JOBS,
    timeoutMs: waitOptions.timeoutMs,
    signal,
    overwrite: input.overwrite,
    keepUploadedFile: input.keepUploadedFile,
    onProgress,
  }).catch((error) => {
    throw withPartial(error, { jobs: [], stage: "upload", ...figures });
  });

  if (input.wait) {
    await awaitEach(context, plan, input, jobs).catch((error) => {
      throw withPartial(error, { jobs, stage: "wait", ...figures });
    });
  }
  return {
    jobs,
    userCount: prepared.userCount,
    duplicateCount: prepared.duplicateCount,
    bytes: prepared.bytes,
  };
}

// Awaits each job and deletes every version of its file after COMPLETED; a FAILED job throws once all ended.
async function awaitEach(
  context: FlowContext,
  plan: DeletionPlan,
  input: DeleteUsersInput,
  jobs: DeletionJobResult[],
): Promise<void> {
  const { bucket, parts } = plan;
  const { onProgress } = input;
  const waitOptions: WaitOptions = typeof input.wait === "object" ? input.wait : {};
  const signal = input.signal ?? waitOptions.signal;
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
