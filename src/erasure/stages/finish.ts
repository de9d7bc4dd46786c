// The erasure's stages once its deletion jobs exist: wait, look for imports and trainings that ran meanwhile
// (one repeat job if any did), delete every version of the uploaded file, the opt-in retrain and campaign
// moves, and the receipt. `eraseUsers` runs them after creating the jobs; `continueErasure` on its own.

import type { Pace } from "../../aws/poll.ts";
import { countVersions, eraseObject } from "../../aws/s3-versions.ts";
import {
  awaitJob,
  createOrTakeBack,
  type DeleteUsersEvent,
  type PlannedDeletion,
  settle,
  uploadPart,
} from "../../deletion/flow.ts";
import { repeatName, retrainName } from "../../deletion/names.ts";
import type { WaitOptions } from "../../deletion/waiter.ts";
import { type RunStage, WaiterTimeoutError, withPartial } from "../../errors.ts";
import { CreateDataDeletionJobInputSchema, validate } from "../../model/schemas.ts";
import type { CreateDataDeletionJobInput, DataDeletionJob, DeletionJobResult } from "../../model/types.ts";
import type { ErasureContext } from "../context.ts";
import { ErasureFailedError, ErasureWaitTimeoutError } from "../errors.ts";
import { isBefore } from "../receipt/judge.ts";
import { inspectErasure, type RunFacts } from "../receipt/read.ts";
import { ranDuring, type Survey, surveyDatasetGroup } from "../survey.ts";
import type { Activity, ErasureReceipt } from "../types.ts";
import {
  type ImportSourceEvent,
  type OutsideChoices,
  type OutsideEvent,
  outsideAsked,
  outsideStage,
} from "./outside.ts";
import type { PreflightEvent } from "./preflight.ts";
import {
  awaitOtherDeletions,
  awaitVersion,
  campaignsOf,
  moveCampaign,
  type RetrainEvent,
  type StageWait,
  startRetrain,
} from "./retrain.ts";

/** Options of the opt-in retrain: it costs training hours, so it is never done unasked. */
export interface RetrainOptions {
  /** Default `FULL`: a version trained from scratch on what is left. */
  trainingMode?: "FULL" | "UPDATE";
  /** Move each campaign of a retrained solution to its new version (default `true`). */
  updateCampaigns?: boolean;
}

/** A step of `eraseUsers` and `continueErasure`. */
export type EraseUsersEvent =
  | DeleteUsersEvent
  | PreflightEvent
  | { phase: "interference"; jobName: string; activity: Activity[]; repeatJobName: string | undefined }
  /** A stage begins: its requests follow (front-ends open a log group here). */
  | { phase: "stage"; stage: "preflight" | "upload" | "wait" | "outside" | "cleanup" | "retrain" | "receipt" }
  | OutsideEvent
  | ImportSourceEvent
  | RetrainEvent;

/** One deletion job of the erasure and what the later stages need of it. */
export interface ErasurePart {
  jobName: string;
  dataLocation: string;
  /** The create request, which the repeat job copies under its own name. */
  request: CreateDataDeletionJobInput;
  /** The uploaded file to delete once no job needs it; absent when the caller keeps it or owns it. */
  file?: { bucket: string; key: string };
  /** Where this run uploaded the file and its bytes, to put it back before a repeat job. */
  upload?: { bucket: string; planned: PlannedDeletion };
}

/** What the later stages are given. */
export interface FinishPlan {
  datasetGroupArn: string;
  jobName: string;
  parts: ErasurePart[];
  /** The parts' jobs, in the same order. */
  results: DeletionJobResult[];
  retrain: RetrainOptions | undefined;
  repeatOnInterference: boolean;
  failOnJobFailure: boolean;
  waitOptions: WaitOptions;
  signal: AbortSignal | undefined;
  maxPendingJobs: number;
  facts: RunFacts;
  /** The data outside Personalize: scan, scrub, the caller's locations, the suppression list. */
  outside: OutsideChoices;
  onProgress: ((event: EraseUsersEvent) => void) | undefined;
}

// A tenth of the time waited (poll's rule) sees a 3 s emulated training in 5 s and an hour's training within
// 5 min; past 5 min between looks, a training of hours only costs calls.
const STAGE_PACE: Pace = { minDelayMs: 5_000, maxDelayMs: 300_000 };
// Stages that must be done before training on what is left makes sense.

/** The pace of the erasure's own waits: the caller's `maxDelayMs` and deadline, the stages' defaults. */
export function stageWait(
  context: ErasureContext,
  wait: WaitOptions,
  signal: AbortSignal | undefined,
): StageWait {
  const maxDelayMs = wait.maxDelayMs ?? STAGE_PACE.maxDelayMs;
  return {
    pace: { minDelayMs: wait.minDelayMs ?? Math.min(STAGE_PACE.minDelayMs, maxDelayMs), maxDelayMs },
    timeoutMs: wait.timeoutMs,
    signal,
    clock: context.jobs.clock,
  };
}

// What a refused repeat job takes back: the uploaded file, unless the caller keeps or owns it.
const takeBack = (part: ErasurePart) => part.file && { ...part.file, dataLocation: part.dataLocation };

// Whether the part's data location still holds a file (a folder: any file) for a repeat job to read.
async function stillThere(
  context: ErasureContext,
  part: ErasurePart,
  signal?: AbortSignal,
): Promise<boolean> {
  // Versions that cannot be listed cannot be counted: try the job rather than give up the repeat.
  return (await countVersions(context.s3, part.dataLocation, signal)) !== 0;
}

/** The receipt of the plan's erasure, from AWS state and what this run knows (`survey`: one just made). */
export function receiptOf(
  context: ErasureContext,
  plan: FinishPlan,
  survey?: Survey,
): Promise<ErasureReceipt> {
  return inspectErasure(
    context,
    {
      datasetGroupArn: plan.datasetGroupArn,
      jobName: plan.jobName,
      // None found: the job name alone, so the receipt says it has not started.
      ...(plan.parts.length ? { jobNames: plan.parts.map((p) => p.jobName) } : {}),
      retrain: plan.retrain !== undefined,
      updateCampaigns: plan.retrain?.updateCampaigns !== false,
      signal: plan.signal,
      survey,
      locations: plan.outside.locations,
    },
    plan.facts,
  );
}

/**
 * Wait for the jobs; repeat once any job an import or training ran during; delete every version of the
 * uploaded files; retrain and move campaigns when asked; rebuild the receipt. A FAILED job throws
 * {@link ErasureFailedError} (after its file is deleted) unless `failOnJobFailure` is false. An error carries
 * `partial`: the jobs, the stage it stopped in and the receipt (after a wait timed out, read from AWS state).
 */
export async function finishErasure(
  context: ErasureContext,
  plan: FinishPlan,
): Promise<{ results: DeletionJobResult[]; receipt: ErasureReceipt }> {
  let stage: RunStage = "wait";
  const onProgress = (event: EraseUsersEvent) => {
    if (event.phase === "stage") stage = event.stage;
    plan.onProgress?.(event);
  };
  try {
    return await finishStages(context, { ...plan, onProgress });
  } catch (error) {
    let receipt = error instanceof ErasureFailedError ? error.receipt : undefined;
    // The wait goes on without us: where the erasure stands, so the caller need not ask.
    if (error instanceof WaiterTimeoutError || error instanceof ErasureWaitTimeoutError)
      receipt = await receiptOf(context, plan).catch(() => undefined);
    throw withPartial(error, { jobs: plan.results, stage, ...(receipt && { receipt }) });
  }
}

async function finishStages(
  context: ErasureContext,
  plan: FinishPlan,
): Promise<{ results: DeletionJobResult[]; receipt: ErasureReceipt }> {
  const { parts, results, signal, onProgress, facts, retrain } = plan;
  const waitOptions = { ...plan.waitOptions, signal };
  const wait = stageWait(context, plan.waitOptions, signal);
  const submit = {
    maxPendingJobs: plan.maxPendingJobs,
    timeoutMs: plan.waitOptions.timeoutMs,
    signal,
    onProgress,
  };

  onProgress?.({ phase: "stage", stage: "wait" });
  const ended: DataDeletionJob[] = [];
  for (const result of results.slice(0, parts.length)) {
    const job = await awaitJob(context, result, waitOptions, onProgress);
    settle(result, job);
    ended.push(job);
  }
  // The interference check's survey serves the receipt too, unless a repeat or a retrain came after it.
  let fresh: Survey | undefined;
  if (ended.every((j) => j.status === "COMPLETED") && plan.repeatOnInterference) {
    const survey = await surveyDatasetGroup(context.api, plan.datasetGroupArn, signal);
    fresh = survey;
    for (const [i, job] of ended.entries()) {
      const part = parts[i] as ErasurePart;
      if (!job.creationDateTime || !job.lastUpdatedDateTime) continue;
      const ran = ranDuring(survey, job.creationDateTime, job.lastUpdatedDateTime, new Set());
      if (ran.length === 0) continue;
      const name = repeatName(part.jobName);
      onProgress?.({ phase: "interference", jobName: part.jobName, activity: ran, repeatJobName: name });
      fresh = undefined;
      const request = validate(
        CreateDataDeletionJobInputSchema,
        { ...part.request, jobName: name },
        "eraseUsers",
      );
      const existing = await context.jobs.findAdoptableJob(request, signal);
      let created: { dataDeletionJobArn: string; adopted: boolean };
      if (existing) {
        created = { dataDeletionJobArn: existing.dataDeletionJobArn as string, adopted: true };
      } else if (part.upload) {
        // The file is still there (cleanup comes after); put back if someone removed it meanwhile.
        await uploadPart(context, part.upload.bucket, part.upload.planned, submit);
        created = await createOrTakeBack(context, request, takeBack(part), submit);
      } else if (await stillThere(context, part, signal)) {
        created = await createOrTakeBack(context, request, takeBack(part), submit);
      } else {
        // A job on a missing file would only FAIL: the receipt asks for a run that has the ids.
        continue;
      }
      onProgress?.({ phase: "create", jobName: name, ...created });
      const repeat: DeletionJobResult = {
        jobName: name,
        ...created,
        dataLocation: part.dataLocation,
        uploadedFileDeleted: false,
      };
      settle(repeat, await awaitJob(context, repeat, waitOptions, onProgress));
      results.push(repeat);
    }
  }

  // Past Personalize's edge while the lists are still in S3: a run without the ids reads them there.
  if (outsideAsked(plan.outside) && results.every((r) => r.status === "COMPLETED")) {
    onProgress?.({ phase: "stage", stage: "outside" });
    // Found anew: a batch job or an export made while the deletion ran (up to a day) writes users too.
    facts.discovered = undefined;
    await outsideStage(context, {
      ...plan.outside,
      datasetGroupArn: plan.datasetGroupArn,
      jobName: plan.jobName,
      files: parts.map((p) => ({ dataLocation: p.dataLocation, body: p.upload?.planned.body })),
      facts,
      signal,
      onProgress,
    });
  }

  // Every job has ended: none needs the ids any more.
  const owned = parts.filter((p) => p.file);
  if (owned.length) onProgress?.({ phase: "stage", stage: "cleanup" });
  for (const part of owned) {
    const { bucket, key } = part.file as { bucket: string; key: string };
    const { versionsDeleted: n } = await eraseObject(context.s3, bucket, key, signal);
    const file = facts.files?.get(part.dataLocation);
    if (file) file.versionsDeleted += n;
    else facts.files?.set(part.dataLocation, { versionsDeleted: n });
    for (const r of results) if (r.dataLocation === part.dataLocation) r.uploadedFileDeleted = true;
    onProgress?.({ phase: "cleanup", dataLocation: part.dataLocation, versionsDeleted: n });
  }

  const failed = results.find((r) => r.status === "FAILED");
  let unchanged: ErasureReceipt | undefined;
  if (!failed && retrain) {
    onProgress?.({ phase: "stage", stage: "retrain" });
    const before = await receiptOf(context, plan, fresh);
    if (!isBefore(before.stage, "cleaning-up") && needsTraining(before)) {
      const own = new Set(results.map((r) => r.jobName));
      await awaitOtherDeletions(context.jobs, plan.datasetGroupArn, own, wait, onProgress);
      await retrainAll(context, plan, before, wait);
    } else {
      // Nothing to train: what was just read is the receipt.
      unchanged = before;
    }
  }
  onProgress?.({ phase: "stage", stage: "receipt" });
  const receipt = unchanged ?? (await receiptOf(context, plan, retrain ? undefined : fresh));
  if (failed && plan.failOnJobFailure) {
    throw new ErasureFailedError(
      { ...failed.job, dataDeletionJobArn: failed.dataDeletionJobArn },
      results,
      receipt,
    );
  }
  return { results, receipt };
}

// Whether a version must still be trained or a campaign moved (a re-run after both has nothing to wait for).
function needsTraining(receipt: ErasureReceipt): boolean {
  return receipt.stage === "retraining" || receipt.stage === "moving-campaigns";
}

// Each solution that still holds the users: its version named after the erasure (made unless it exists),
// trained, then each of its campaigns moved to it.
async function retrainAll(
  context: ErasureContext,
  plan: FinishPlan,
  receipt: ErasureReceipt,
  wait: StageWait,
): Promise<void> {
  const retrain = plan.retrain as RetrainOptions;
  const deletedAt = new Date(Math.max(...receipt.jobs.map((j) => Date.parse(j.completedAt as string))));
  const name = retrainName(plan.jobName);
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
      plan.onProgress,
      adopted,
    );
    if (version.status !== "ACTIVE" || retrain.updateCampaigns === false) continue;
    for (const campaign of await campaignsOf(context.api, solution.solutionArn, plan.signal)) {
      const from = campaign.solutionVersionArn;
      const moved = await moveCampaign(context.api, campaign, versionArn, wait, plan.onProgress);
      if (moved.moved) plan.facts.moved?.set(campaign.campaignArn, from);
    }
  }
}
