// The complete erasure: preflight, the deletion flow's stages, the interference check and its repeat job,
// cleanup of every version of the uploaded file, the opt-in retrain and campaign moves, and the receipt.
// Each step first looks at what AWS shows, so running the same erasure again carries on where it stands.
import {
  awaitJob,
  awaitRoom,
  createWithRoom,
  DEFAULT_MAX_PENDING_JOBS,
  type DeleteUsersEvent,
  type DeleteUsersInput,
  type DeleteUsersOutput,
  planDeletion,
} from "../delete-users.ts";
import { ConflictError, ServiceError, ValidationError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import type { Clock, Pace } from "../poll.ts";
import { headObject, putObjectOnce } from "../s3.ts";
import {
  CreateDataDeletionJobInputSchema,
  JobNameSchema,
  ListDataDeletionJobsInputSchema,
  validate,
} from "../schemas.ts";
import type { DataDeletionJob, DeletionJobResult } from "../types.ts";
import { uniqueSuffix } from "../upload-plan.ts";
import type { WaitOptions } from "../waiter.ts";
import type { ErasureContext } from "./context.ts";
import { ErasureFailedError } from "./errors.ts";
import { inspectErasure, type RunFacts, repeatName } from "./inspect.ts";
import { type PreflightEvent, preflight } from "./preflight.ts";
import {
  awaitVersion,
  campaignsOf,
  moveCampaign,
  type RetrainEvent,
  retrainName,
  type StageWait,
  startRetrain,
} from "./retrain.ts";
import { deleteEveryVersion } from "./s3-versions.ts";
import { ranDuring, surveyDatasetGroup } from "./survey.ts";
import type { Activity, ErasureReceipt, IfBusy } from "./types.ts";

/** Options of the opt-in retrain: it costs training hours, so it is never done unasked. */
export interface RetrainOptions {
  /** Default `FULL`: a version trained from scratch on what is left. */
  trainingMode?: "FULL" | "UPDATE";
  /** Move each campaign of a retrained solution to its new version (default `true`). */
  updateCampaigns?: boolean;
}

/** Input of `eraseUsers`: `deleteUsers`' input and the erasure's own choices. */
export interface EraseUsersInput extends Omit<DeleteUsersInput, "onProgress"> {
  /** The dataset group is in use before the job is made: `wait` (default) until idle, `fail`, or `ignore`. */
  ifBusy?: IfBusy;
  /** Make one more deletion job when an import or training ran during the first (default `true`). */
  repeatOnInterference?: boolean;
  /** Train a new version of each solution and move its campaigns (default: off, and the receipt says what is left). */
  retrain?: boolean | RetrainOptions;
  onProgress?: (event: EraseUsersEvent) => void;
}

/** A step of `eraseUsers`. */
export type EraseUsersEvent =
  | DeleteUsersEvent
  | PreflightEvent
  | { phase: "interference"; jobName: string; activity: Activity[]; repeatJobName: string | undefined }
  /** A stage begins: its requests follow (front-ends open a log group here). */
  | { phase: "stage"; stage: "preflight" | "upload" | "wait" | "cleanup" | "retrain" | "receipt" }
  | RetrainEvent;

/** Output of `eraseUsers`: the deletion's figures and the receipt. */
export interface EraseUsersOutput extends DeleteUsersOutput {
  receipt: ErasureReceipt;
}

/** Input of `erasureStatus`. */
export interface ErasureStatusInput {
  datasetGroupArn: string;
  jobName: string;
  /** Whether the erasure asked for a retrain (it changes what `pending` says; default `false`). */
  retrain?: boolean;
  signal?: AbortSignal;
}

// A training takes hours and a campaign update minutes: looking more often than this only costs calls.
const STAGE_PACE: Pace = { minDelayMs: 30_000, maxDelayMs: 300_000 };
// Stages that must be done before training on what is left makes sense.
const BEFORE_RETRAIN = new Set<ErasureReceipt["stage"]>(["not-started", "failed", "deleting", "repeating"]);
const IF_BUSY: readonly IfBusy[] = ["wait", "fail", "ignore"];
const TRAINING_MODES = ["FULL", "UPDATE"];
// The model's 63 characters of a job name, less what a repeat job adds.
const REPEAT_ROOM = 63 - repeatName("").length;

/**
 * The job name of an erasure started without one: `erase-users-<time>-<random>`. A front-end that must tell
 * the user how to resume it picks the name with this before it starts.
 */
export function defaultErasureName(clock: Pick<Clock, "now" | "random">): string {
  return `erase-users-${uniqueSuffix(clock).replace("T", "-")}`;
}

function stageWait(context: ErasureContext, wait: WaitOptions, signal: AbortSignal | undefined): StageWait {
  const maxDelayMs = wait.maxDelayMs ?? STAGE_PACE.maxDelayMs;
  return {
    pace: { minDelayMs: wait.minDelayMs ?? Math.min(STAGE_PACE.minDelayMs, maxDelayMs), maxDelayMs },
    timeoutMs: wait.timeoutMs,
    signal,
    clock: context.jobs.clock,
  };
}

function checkChoices(input: EraseUsersInput, jobName: string): void {
  const issues = [];
  if (input.ifBusy !== undefined && !IF_BUSY.includes(input.ifBusy)) {
    issues.push({
      path: "ifBusy",
      rule: `must be one of ${IF_BUSY.join(", ")}`,
      received: JSON.stringify(input.ifBusy),
    });
  }
  const mode = typeof input.retrain === "object" ? input.retrain.trainingMode : undefined;
  if (mode !== undefined && !TRAINING_MODES.includes(mode)) {
    issues.push({
      path: "retrain.trainingMode",
      rule: `must be one of ${TRAINING_MODES.join(", ")}`,
      received: JSON.stringify(mode),
    });
  }
  if (issues.length) throw new ValidationError(issues, "eraseUsers");
  validate(JobNameSchema, jobName, "eraseUsers", "jobName");
  checkRepeatRoom(jobName);
}

// The repeat job's name must fit before the first job is made, not when it is needed.
function checkRepeatRoom(name: string): void {
  if (repeatName(name).length <= REPEAT_ROOM + repeatName("").length) return;
  throw new ValidationError(
    [
      {
        path: "jobName",
        rule: `must leave room for its repeat job's name: ${repeatName("NAME")} is at most 63 characters, so NAME at most ${REPEAT_ROOM} (a split list's NAME-part-N counts)`,
        received: `${name.length} characters`,
      },
    ],
    "eraseUsers",
  );
}

// An error after which no job can exist to read the file: the service refused the create outright.
function noJobWillRead(error: unknown): boolean {
  if (error instanceof ConflictError || error instanceof ValidationError) return true;
  return (
    error instanceof ServiceError && !error.retryable && error.httpStatus >= 400 && error.httpStatus < 500
  );
}

/**
 * The complete erasure behind `ErasureClient.eraseUsers`. Resumable: with the same `jobName` a later run
 * adopts the job, waits, repeats only what is missing, cleans up and rebuilds the receipt from AWS state.
 */
export async function eraseUsers(context: ErasureContext, input: EraseUsersInput): Promise<EraseUsersOutput> {
  const startedAt = context.jobs.clock.now();
  const jobName = input.jobName ?? defaultErasureName(context.jobs.clock);
  const { onProgress } = input;
  checkChoices(input, jobName);
  const plan = await planDeletion(context, {
    ...input,
    jobName,
    onProgress: undefined,
  });
  const { prepared, bucket, parts } = plan;
  for (const part of parts) checkRepeatRoom(part.jobName);
  const waitOptions: WaitOptions = typeof input.wait === "object" ? input.wait : {};
  const signal = input.signal ?? waitOptions.signal;
  const wait = stageWait(context, waitOptions, signal);
  const limits = {
    maxPendingJobs: input.maxPendingJobs ?? DEFAULT_MAX_PENDING_JOBS,
    timeoutMs: waitOptions.timeoutMs,
    signal,
  };
  const retrain = input.retrain ? (input.retrain === true ? {} : input.retrain) : undefined;
  const { datasetGroupArn } = parts[0]?.request ?? { datasetGroupArn: input.datasetGroupArn };
  const facts: RunFacts = { startedAt, files: new Map(), moved: new Map() };
  const files = facts.files as NonNullable<RunFacts["files"]>;
  if (bucket !== undefined) {
    facts.users = { unique: prepared.userCount, duplicatesRemoved: prepared.duplicateCount };
    onProgress?.({
      phase: "prepare",
      userCount: prepared.userCount,
      duplicateCount: prepared.duplicateCount,
      bytes: prepared.bytes,
      files: parts.length,
    });
  }
  const bodies = parts.map((_, i) => prepared.files[i]);
  for (const [i, part] of parts.entries()) {
    const body = bodies[i];
    files.set(
      part.dataLocation,
      body
        ? { sha256: await sha256Hex(body), bytes: body.length, versionsDeleted: 0 }
        : { versionsDeleted: 0, givenByCaller: true },
    );
  }

  // Upload and create what does not exist yet; adopt what does.
  const results: DeletionJobResult[] = [];
  const upload = async (index: number) => {
    const body = bodies[index];
    const part = parts[index];
    if (body === undefined || bucket === undefined || !part) return;
    const put = await putObjectOnce(context.s3, bucket, part.key, body, {
      overwrite: input.overwrite,
      signal,
    });
    onProgress?.({
      phase: "upload",
      dataLocation: part.dataLocation,
      bytes: body.length,
      created: put.created,
    });
  };
  const create = async (index: number, request: (typeof parts)[number]["request"]) => {
    try {
      return await createWithRoom(context, request, limits, onProgress);
    } catch (error) {
      // Nothing will read the ids: they go at once, every version.
      const part = parts[index];
      if (bucket !== undefined && part && noJobWillRead(error)) {
        const n = await deleteEveryVersion(context.s3, bucket, part.key, signal);
        onProgress?.({ phase: "cleanup", dataLocation: part.dataLocation, versionsDeleted: n });
      }
      throw error;
    }
  };
  for (const [i, part] of parts.entries()) {
    const existing = await context.jobs.findJobByName(datasetGroupArn, part.jobName, signal);
    if (existing) {
      if (existing.dataSource?.dataLocation !== part.dataLocation) {
        throw new ConflictError(
          `a data deletion job named ${part.jobName} already reads ${existing.dataSource?.dataLocation}, not ${part.dataLocation}; choose another \`jobName\``,
        );
      }
      const head = bucket !== undefined ? await headObject(context.s3, bucket, part.key, signal) : undefined;
      if (head?.sha256 && head.sha256 !== files.get(part.dataLocation)?.sha256) {
        throw new ConflictError(
          `the data deletion job ${part.jobName} was made for a different list of ids than this one; choose another \`jobName\``,
        );
      }
      const arn = existing.dataDeletionJobArn as string;
      onProgress?.({ phase: "create", jobName: part.jobName, dataDeletionJobArn: arn, adopted: true });
      results.push({
        jobName: part.jobName,
        dataDeletionJobArn: arn,
        dataLocation: part.dataLocation,
        adopted: true,
        uploadedFileDeleted: false,
      });
      continue;
    }
    if (!facts.preflight) onProgress?.({ phase: "stage", stage: "preflight" });
    facts.preflight ??= await preflight(
      context.api,
      datasetGroupArn,
      input.ifBusy ?? "wait",
      wait,
      onProgress,
    );
    onProgress?.({ phase: "stage", stage: "upload" });
    if (parts.length > 1) await awaitRoom(context, part.request, limits.maxPendingJobs, limits, onProgress);
    await upload(i);
    const created = await create(i, part.request);
    onProgress?.({ phase: "create", jobName: part.jobName, ...created });
    results.push({
      jobName: part.jobName,
      ...created,
      dataLocation: part.dataLocation,
      uploadedFileDeleted: false,
    });
  }

  const inspect = (final = true) => {
    if (final) onProgress?.({ phase: "stage", stage: "receipt" });
    return inspectErasure(
      context,
      {
        datasetGroupArn,
        jobName,
        jobNames: parts.map((p) => p.jobName),
        retrain: retrain !== undefined,
        updateCampaigns: retrain?.updateCampaigns !== false,
        signal,
      },
      facts,
    );
  };
  const output = (receipt: ErasureReceipt): EraseUsersOutput => ({
    jobs: results,
    userCount: prepared.userCount,
    duplicateCount: prepared.duplicateCount,
    bytes: prepared.bytes,
    receipt,
  });
  if (!input.wait) return output(await inspect());

  // Wait; then look for imports and trainings that ran meanwhile, and repeat the job once if any did.
  const ended: DataDeletionJob[] = [];
  onProgress?.({ phase: "stage", stage: "wait" });
  for (const result of results) {
    const job = await awaitJob(context, result, { ...waitOptions, signal }, onProgress);
    Object.assign(result, {
      status: job.status,
      numDeleted: job.numDeleted,
      failureReason: job.failureReason,
      job,
    });
    ended.push(job);
  }
  if (ended.every((j) => j.status === "COMPLETED") && input.repeatOnInterference !== false) {
    const survey = await surveyDatasetGroup(context.api, datasetGroupArn, signal);
    for (const [i, job] of ended.entries()) {
      const part = parts[i];
      if (!part || !job.creationDateTime || !job.lastUpdatedDateTime) continue;
      const ran = ranDuring(survey, job.creationDateTime, job.lastUpdatedDateTime, new Set());
      if (ran.length === 0) continue;
      const name = repeatName(part.jobName);
      onProgress?.({ phase: "interference", jobName: part.jobName, activity: ran, repeatJobName: name });
      const request = validate(
        CreateDataDeletionJobInputSchema,
        { ...part.request, jobName: name },
        "eraseUsers",
      );
      const existing = await context.jobs.findJobByName(datasetGroupArn, name, signal);
      let repeat: DeletionJobResult;
      if (existing) {
        repeat = {
          jobName: name,
          dataDeletionJobArn: existing.dataDeletionJobArn as string,
          dataLocation: part.dataLocation,
          adopted: true,
          uploadedFileDeleted: false,
        };
      } else {
        // The file is still there (cleanup comes after); put it back if someone removed it meanwhile.
        await upload(i);
        repeat = {
          jobName: name,
          ...(await create(i, request)),
          dataLocation: part.dataLocation,
          uploadedFileDeleted: false,
        };
      }
      onProgress?.({
        phase: "create",
        jobName: name,
        dataDeletionJobArn: repeat.dataDeletionJobArn,
        adopted: repeat.adopted,
      });
      const done = await awaitJob(context, repeat, { ...waitOptions, signal }, onProgress);
      Object.assign(repeat, {
        status: done.status,
        numDeleted: done.numDeleted,
        failureReason: done.failureReason,
        job: done,
      });
      results.push(repeat);
    }
  }

  // Every job has ended: no job needs the ids any more.
  if (bucket !== undefined && !input.keepUploadedFile) {
    onProgress?.({ phase: "stage", stage: "cleanup" });
    for (const part of parts) {
      const n = await deleteEveryVersion(context.s3, bucket, part.key, signal);
      const file = files.get(part.dataLocation);
      if (file) file.versionsDeleted += n;
      for (const r of results) if (r.dataLocation === part.dataLocation) r.uploadedFileDeleted = true;
      onProgress?.({ phase: "cleanup", dataLocation: part.dataLocation, versionsDeleted: n });
    }
  }

  const failed = results.find((r) => r.status === "FAILED");
  if (!failed && retrain) {
    onProgress?.({ phase: "stage", stage: "retrain" });
    let receipt = await inspect(false);
    if (!BEFORE_RETRAIN.has(receipt.stage)) {
      const deletedAt = new Date(Math.max(...receipt.jobs.map((j) => Date.parse(j.completedAt as string))));
      const name = retrainName(jobName);
      for (const solution of receipt.retrain.solutions) {
        if (!solution.trainedBefore && !solution.solutionVersionArn) continue;
        let versionArn = solution.solutionVersionArn;
        let adopted = true;
        if (!versionArn) {
          const started = await startRetrain(
            context.api,
            solution.solutionArn,
            name,
            retrain.trainingMode ?? "FULL",
            deletedAt,
            wait,
          );
          versionArn = started.version.solutionVersionArn;
          adopted = started.adopted;
        }
        const version = await awaitVersion(
          context.api,
          solution.solutionArn,
          versionArn,
          wait,
          onProgress,
          adopted,
        );
        if (version.status !== "ACTIVE" || retrain.updateCampaigns === false) continue;
        for (const campaign of await campaignsOf(context.api, solution.solutionArn, signal)) {
          const before = campaign.solutionVersionArn;
          const moved = await moveCampaign(context.api, campaign, versionArn, wait, onProgress);
          if (moved.moved) facts.moved?.set(campaign.campaignArn, before);
        }
      }
      receipt = await inspect();
    }
    return output(receipt);
  }
  const receipt = await inspect();
  if (failed && input.failOnJobFailure !== false) {
    throw new ErasureFailedError(
      { ...failed.job, dataDeletionJobArn: failed.dataDeletionJobArn },
      results,
      receipt,
    );
  }
  return output(receipt);
}

/** Where an erasure stands, from AWS state alone: the same walk as `eraseUsers`, without its steps. */
export async function erasureStatus(
  context: ErasureContext,
  input: ErasureStatusInput,
): Promise<ErasureReceipt> {
  validate(ListDataDeletionJobsInputSchema, { datasetGroupArn: input.datasetGroupArn }, "erasureStatus");
  validate(JobNameSchema, input.jobName, "erasureStatus", "jobName");
  return inspectErasure(context, {
    datasetGroupArn: input.datasetGroupArn,
    jobName: input.jobName,
    retrain: input.retrain === true,
    updateCampaigns: true,
    signal: input.signal,
  });
}
