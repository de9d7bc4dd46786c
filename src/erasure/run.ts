// The complete erasure's entry points: `eraseUsers` (preflight, upload and create, then the later stages),
// `continueErasure` (the later stages of an erasure whose jobs exist, for a scheduler without the ids) and
// `erasureStatus` (the same walk, changing nothing). Each step first looks at what AWS shows, so running
// the same erasure again carries on where it stands.

import { parseS3Uri } from "../aws/s3.ts";
import {
  DEFAULT_MAX_PENDING_JOBS,
  type DeleteUsersInput,
  type DeleteUsersOutput,
  planDeletion,
  submitParts,
} from "../deletion/flow.ts";
import { checkArnRegion } from "../deletion/jobs-client.ts";
import { listOfTags, listTags } from "../deletion/names.ts";
import type { WaitOptions } from "../deletion/waiter.ts";
import { type RunStage, withPartial } from "../errors.ts";
import { JobNameSchema, ListDataDeletionJobsInputSchema, validate } from "../model/schemas.ts";
import type { DeletionJobResult } from "../model/types.ts";
import { checkChoices, checkRepeatRoom, defaultErasureName } from "./choices.ts";
import type { ErasureContext } from "./context.ts";

export { defaultErasureName, IF_BUSY_CHOICES, TRAINING_MODES } from "./choices.ts";

import { findErasureJobs, inspectErasure, type RunFacts } from "./receipt/read.ts";
import {
  type EraseUsersEvent,
  type ErasurePart,
  type FinishPlan,
  finishErasure,
  type RetrainOptions,
  receiptOf,
  stageWait,
} from "./stages/finish.ts";
import { checkImportSource, checkOutsideChoices, type OutsideChoices } from "./stages/outside.ts";
import { preflight } from "./stages/preflight.ts";
import type { Survey } from "./survey.ts";
import type { ErasureReceipt, IfBusy } from "./types.ts";

export type { EraseUsersEvent, RetrainOptions } from "./stages/finish.ts";
export type { OutsideChoices, OutsideEvent } from "./stages/outside.ts";

/** The erasure's own choices, shared by `eraseUsers` and `continueErasure`. */
export interface ErasureChoices extends OutsideChoices {
  /** Make one more deletion job when an import or training ran during the first (default `true`). */
  repeatOnInterference?: boolean;
  /** Train a new version of each solution and move its campaigns (default: off, and the receipt says what is left). */
  retrain?: boolean | RetrainOptions;
  /** Throw ErasureFailedError when a deletion job FAILED (default `true`). */
  failOnJobFailure?: boolean;
  /** PENDING jobs allowed per dataset group, for a repeat job (default 5, the service's limit). */
  maxPendingJobs?: number;
  signal?: AbortSignal;
  onProgress?: (event: EraseUsersEvent) => void;
}

/** Input of `eraseUsers`: `deleteUsers`' input and the erasure's own choices. */
export interface EraseUsersInput extends Omit<DeleteUsersInput, "onProgress">, ErasureChoices {
  /** The dataset group is in use before the job is made: `wait` (default) until idle, `fail`, or `ignore`. */
  ifBusy?: IfBusy;
  onProgress?: (event: EraseUsersEvent) => void;
}

/** Output of `eraseUsers`: the deletion's figures and the receipt. */
export interface EraseUsersOutput extends DeleteUsersOutput {
  receipt: ErasureReceipt;
}

/** Input of `continueErasure`: an erasure whose deletion job(s) exist, by its job name. */
export interface ContinueErasureInput extends ErasureChoices {
  datasetGroupArn: string;
  jobName: string;
  /** Wait for what is in progress (default `true`); `{ timeoutMs: 0 }` only looks, for a scheduler's tick. */
  wait?: boolean | WaitOptions;
  /** Delete every version of the jobs' data location once no job needs it (default `true`: it was uploaded for them). */
  deleteDataLocation?: boolean;
}

/** Output of `continueErasure`. */
export interface ContinueErasureOutput {
  jobs: DeletionJobResult[];
  receipt: ErasureReceipt;
}

/** Input of `erasureStatus`. */
export interface ErasureStatusInput {
  datasetGroupArn: string;
  jobName: string;
  /** Whether the erasure asked for a retrain (it changes what `pending` says; default `false`). */
  retrain?: boolean;
  /** Locations outside Personalize the erasure was given, listed with AWS's records (`s3://…`). */
  locations?: readonly string[];
  signal?: AbortSignal;
}

// The later stages' plan: what this run found or made, and the caller's choices with their defaults.
function planOf(
  choices: ErasureChoices,
  found: Pick<
    FinishPlan,
    "datasetGroupArn" | "jobName" | "parts" | "results" | "facts" | "waitOptions" | "signal"
  >,
): FinishPlan {
  const retrain = choices.retrain;
  return {
    ...found,
    retrain: retrain ? (retrain === true ? {} : retrain) : undefined,
    repeatOnInterference: choices.repeatOnInterference !== false,
    failOnJobFailure: choices.failOnJobFailure !== false,
    maxPendingJobs: choices.maxPendingJobs ?? DEFAULT_MAX_PENDING_JOBS,
    outside: {
      ...(choices.scan && { scan: true }),
      ...(choices.scrub && { scrub: true }),
      ...(choices.locations && { locations: choices.locations }),
      ...(choices.suppression !== undefined && {
        suppression: choices.suppression,
        suppressionKey: choices.suppressionKey,
      }),
    },
    onProgress: choices.onProgress,
  };
}

/**
 * The complete erasure behind `ErasureClient.eraseUsers`. Resumable: with the same `jobName` a later run
 * adopts the job, waits, repeats only what is missing, cleans up and rebuilds the receipt from AWS state.
 */
export async function eraseUsers(context: ErasureContext, input: EraseUsersInput): Promise<EraseUsersOutput> {
  const startedAt = context.jobs.clock.now();
  const given = input.jobName ?? defaultErasureName(context.jobs.clock);
  const { onProgress } = input;
  checkChoices(input, typeof given === "string" ? given : undefined);
  const plan = await planDeletion(context, { ...input, jobName: given, onProgress: undefined });
  const { prepared, bucket, jobName } = plan;
  if (typeof given !== "string") validate(JobNameSchema, jobName, "eraseUsers", "jobName");
  for (const part of plan.parts) checkRepeatRoom(part.jobName);
  const waitOptions: WaitOptions = typeof input.wait === "object" ? input.wait : {};
  const signal = input.signal ?? waitOptions.signal;
  const wait = stageWait(context, waitOptions, signal);
  const datasetGroupArn = plan.parts[0]?.request.datasetGroupArn ?? input.datasetGroupArn;
  const facts: RunFacts = { startedAt, files: new Map(), moved: new Map() };
  const files = facts.files as NonNullable<RunFacts["files"]>;
  if (bucket !== undefined) {
    facts.users = {
      unique: prepared.userCount,
      duplicatesRemoved: prepared.duplicateCount,
      trimmed: prepared.trimmedCount ?? 0,
    };
    onProgress?.({
      phase: "prepare",
      userCount: prepared.userCount,
      duplicateCount: prepared.duplicateCount,
      bytes: prepared.bytes,
      files: plan.parts.length,
    });
  }
  const parts: ErasurePart[] = plan.parts.map((planned) => {
    const part: ErasurePart = {
      jobName: planned.jobName,
      dataLocation: planned.dataLocation,
      request: planned.request,
    };
    if (planned.body && bucket !== undefined) {
      files.set(planned.dataLocation, {
        sha256: planned.sha256,
        bytes: planned.body.length,
        versionsDeleted: 0,
      });
      if (!input.keepUploadedFile) part.file = { bucket, key: planned.key };
      part.upload = { bucket, planned };
    } else {
      files.set(planned.dataLocation, { versionsDeleted: 0, givenByCaller: true });
    }
    return part;
  });

  // The deletion flow's part loop: adopt what was made from this list, else upload and create, with the
  // preflight before the first upload. Its survey serves the receipt: making deletion jobs changes nothing it reads.
  let survey: Survey | undefined;
  // What a failure says was done: the ids prepared (none for a given data location), the stage it stopped in.
  const told =
    bucket === undefined ? {} : { userCount: prepared.userCount, duplicateCount: prepared.duplicateCount };
  let stage: RunStage = "upload";
  const results = await submitParts(context, plan, {
    maxPendingJobs: input.maxPendingJobs ?? DEFAULT_MAX_PENDING_JOBS,
    timeoutMs: waitOptions.timeoutMs,
    signal,
    overwrite: input.overwrite,
    keepUploadedFile: input.keepUploadedFile,
    onProgress,
    beforeUpload: async () => {
      stage = "preflight";
      onProgress?.({ phase: "stage", stage: "preflight" });
      const checked = await preflight(context.api, datasetGroupArn, input.ifBusy ?? "wait", wait, onProgress);
      facts.preflight = checked.record;
      survey = checked.survey;
      // S3 reads are the caller's to allow: only a run that scans or scrubs looks at the import's source.
      if ((input.scan || input.scrub) && bucket !== undefined) {
        const source = await checkImportSource(context, {
          datasetGroupArn,
          files: plan.parts.map((p) => ({ dataLocation: p.dataLocation, body: p.body })),
          facts,
          signal,
          locations: input.locations,
          onProgress,
        });
        if (source) facts.preflight.fullImportSource = source;
      }
      stage = "upload";
      onProgress?.({ phase: "stage", stage: "upload" });
    },
  }).catch((error) => {
    throw withPartial(error, { jobs: [], stage, ...told });
  });

  const finish = planOf(input, { datasetGroupArn, jobName, parts, results, facts, waitOptions, signal });
  const figures = {
    userCount: prepared.userCount,
    duplicateCount: prepared.duplicateCount,
    bytes: prepared.bytes,
  };
  if (!input.wait) {
    onProgress?.({ phase: "stage", stage: "receipt" });
    const receipt = await receiptOf(context, finish, survey).catch((error) => {
      throw withPartial(error, { jobs: results, stage: "receipt", ...told });
    });
    return { jobs: results, ...figures, receipt };
  }
  const done = await finishErasure(context, finish).catch((error) => {
    throw withPartial(error, { jobs: results, ...told });
  });
  return { jobs: done.results, ...figures, receipt: done.receipt };
}

/**
 * The later stages of an erasure whose deletion job(s) exist (the job name, or its `-part-N` jobs): wait,
 * the interference check and repeat, cleanup of the jobs' data location, the retrain, the receipt. For a
 * scheduler that made the jobs in an earlier run and no longer has the ids; with `wait: { timeoutMs: 0 }`
 * each call goes as far as it can without waiting (a WaiterTimeoutError or ErasureWaitTimeoutError then
 * says what is still in progress).
 */
export async function continueErasure(
  context: ErasureContext,
  input: ContinueErasureInput,
): Promise<ContinueErasureOutput> {
  const startedAt = context.jobs.clock.now();
  validate(ListDataDeletionJobsInputSchema, { datasetGroupArn: input.datasetGroupArn }, "continueErasure");
  checkArnRegion(input.datasetGroupArn, context.jobs.region);
  checkChoices(input, input.jobName);
  const waitOptions: WaitOptions = typeof input.wait === "object" ? input.wait : {};
  const signal = input.signal ?? waitOptions.signal;
  const facts: RunFacts = { startedAt, files: new Map(), moved: new Map() };
  const found = await findErasureJobs(context.jobs, { ...input, signal });
  const parts: ErasurePart[] = [];
  const results: DeletionJobResult[] = [];
  for (const [jobName, described] of found) {
    if (!described) continue;
    const dataLocation = described.dataSource?.dataLocation as string;
    // A repeat job reads the same file, so it carries the same list tags (and is adopted by them).
    const list = listOfTags(
      await context.jobs.listTagsForResource(described.dataDeletionJobArn as string, { signal }),
    );
    const part: ErasurePart = {
      jobName,
      dataLocation,
      request: {
        jobName,
        datasetGroupArn: input.datasetGroupArn,
        roleArn: described.roleArn as string,
        dataSource: { dataLocation },
        ...(list.sha256 && { tags: listTags(list.sha256, list.userCount ?? 0) }),
      },
    };
    if (input.deleteDataLocation !== false) {
      const { bucket, key } = parseS3Uri(dataLocation, "dataLocation");
      part.file = { bucket, key };
    }
    parts.push(part);
    results.push({
      jobName,
      dataDeletionJobArn: described.dataDeletionJobArn as string,
      dataLocation,
      adopted: true,
      uploadedFileDeleted: false,
    });
  }
  const plan = planOf(input, {
    datasetGroupArn: input.datasetGroupArn,
    jobName: input.jobName,
    parts,
    results,
    facts,
    waitOptions,
    signal,
  });
  // Nothing made yet: the receipt says so, and there is nothing to continue.
  if (parts.length === 0) return { jobs: [], receipt: await receiptOf(context, plan) };
  if (input.wait === false) {
    const receipt = await receiptOf(context, plan).catch((error) => {
      throw withPartial(error, { jobs: results, stage: "receipt" });
    });
    return { jobs: results, receipt };
  }
  const done = await finishErasure(context, plan);
  return { jobs: done.results, receipt: done.receipt };
}

/** Where an erasure stands, from AWS state alone: the same walk as `eraseUsers`, without its steps. */
export async function erasureStatus(
  context: ErasureContext,
  input: ErasureStatusInput,
): Promise<ErasureReceipt> {
  validate(ListDataDeletionJobsInputSchema, { datasetGroupArn: input.datasetGroupArn }, "erasureStatus");
  checkArnRegion(input.datasetGroupArn, context.jobs.region);
  validate(JobNameSchema, input.jobName, "erasureStatus", "jobName");
  checkOutsideChoices({ ...(input.locations && { locations: input.locations }) });
  return inspectErasure(context, {
    datasetGroupArn: input.datasetGroupArn,
    jobName: input.jobName,
    retrain: input.retrain === true,
    updateCampaigns: true,
    signal: input.signal,
    locations: input.locations,
  });
}
