// After the deletion: a new solution version per solution, trained on what is left, and each campaign moved
// to it. Both cost money or change what users are served, so each is found by name or by state before it
// is made: a lost answer, a retry or a re-run never trains twice or moves a campaign twice.

import { type Clock, type Pace, poll } from "../../aws/poll.ts";
import type { DataDeletionJobsClient } from "../../deletion/jobs-client.ts";
import { ResourceAlreadyExistsException, ResourceInUseException, ServiceError } from "../../errors.ts";
import type { CreateSolutionVersionRequest } from "../../model/operations.ts";
import type { ErasureApi } from "../api.ts";
import { ErasureWaitTimeoutError } from "../errors.ts";
import { inProgress, named } from "../survey.ts";
import type { Campaign, SolutionVersion, SolutionVersionSummary } from "../types.ts";

/** How the erasure waits: its pace, deadline and abort signal, and its clock. */
export interface StageWait {
  pace: Pace;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  clock: Clock;
}

/** A step of the retrain, for progress displays; `heartbeat` as in `PollEvent` (at least every 30 s). */
export type RetrainEvent =
  | { phase: "hold"; waitingFor: string[]; elapsedMs: number; heartbeat?: boolean }
  | {
      phase: "retrain";
      solutionArn: string;
      solutionVersionArn: string;
      status: string | undefined;
      adopted: boolean;
      elapsedMs: number;
      heartbeat?: boolean;
    }
  | {
      phase: "campaign";
      campaignArn: string;
      solutionVersionArn: string;
      status: string | undefined;
      elapsedMs: number;
      heartbeat?: boolean;
    };

/** DescribeSolutionVersion: the version, with the ARN it was asked by. */
async function describeVersion(
  api: ErasureApi,
  solutionVersionArn: string,
  signal?: AbortSignal,
): Promise<SolutionVersion | undefined> {
  const { solutionVersion } = await api.call("DescribeSolutionVersion", { solutionVersionArn }, signal);
  return solutionVersion && { ...solutionVersion, solutionVersionArn };
}

/** DescribeCampaign: the campaign, with the ARN it was asked by. */
async function describeCampaign(
  api: ErasureApi,
  campaignArn: string,
  signal?: AbortSignal,
): Promise<Campaign | undefined> {
  const { campaign } = await api.call("DescribeCampaign", { campaignArn }, signal);
  return campaign && { ...campaign, campaignArn };
}

/**
 * The version that retrains the solution for an erasure whose deletion ended at `since`: the one named
 * `name` (this erasure's own), else the newest FULL training started at or after `since` that has not failed
 * (another erasure's, or a scheduled one: it was trained on data without these users either). The summaries
 * carry no name, so the candidates are described, newest first.
 */
export async function findRetrained(
  api: ErasureApi,
  versions: SolutionVersionSummary[],
  name: string,
  since: Date,
  signal?: AbortSignal,
): Promise<SolutionVersion | undefined> {
  const candidates = versions
    .filter((v) => (v.creationDateTime?.getTime() ?? 0) >= since.getTime())
    .sort((a, b) => (b.creationDateTime?.getTime() ?? 0) - (a.creationDateTime?.getTime() ?? 0));
  let other: SolutionVersion | undefined;
  for (const candidate of candidates) {
    const solutionVersion = await describeVersion(api, candidate.solutionVersionArn, signal);
    if (solutionVersion?.name === name) return solutionVersion;
    const failed = /FAILED|STOPP/.test(solutionVersion?.status ?? "");
    if (!other && solutionVersion?.trainingMode === "FULL" && !failed) other = solutionVersion;
  }
  return other;
}

async function listVersions(api: ErasureApi, solutionArn: string, signal?: AbortSignal) {
  return named(
    await api.list("ListSolutionVersions", { solutionArn }, "solutionVersions", signal),
    "solutionVersionArn",
  );
}

/**
 * The solution's version named `name`, created now unless it, or another FULL training started since the
 * deletion, exists (see {@link findRetrained}): CreateSolutionVersion, and on ResourceAlreadyExists or
 * ResourceInUse (a retried create whose first answer was lost) the version of that name is adopted. Another
 * training in progress is waited out first.
 */
export async function startRetrain(
  api: ErasureApi,
  solutionArn: string,
  name: string,
  trainingMode: NonNullable<CreateSolutionVersionRequest["trainingMode"]>,
  since: Date,
  wait: StageWait,
): Promise<{ version: SolutionVersion; adopted: boolean }> {
  const { signal } = wait;
  for (;;) {
    const versions = await listVersions(api, solutionArn, signal);
    const existing = await findRetrained(api, versions, name, since, signal);
    if (existing) return { version: existing, adopted: true };
    const busy = versions.find((v) => inProgress(v.status));
    if (busy) {
      await awaitVersion(api, solutionArn, busy.solutionVersionArn, wait);
      continue;
    }
    try {
      const { solutionVersionArn } = await api.call(
        "CreateSolutionVersion",
        { solutionArn, name, trainingMode },
        signal,
      );
      if (!solutionVersionArn) {
        throw new ServiceError("CreateSolutionVersion answered without a solutionVersionArn", {
          httpStatus: 200,
        });
      }
      return { version: { solutionVersionArn, name, solutionArn }, adopted: false };
    } catch (error) {
      if (!(error instanceof ResourceAlreadyExistsException || error instanceof ResourceInUseException)) {
        throw error;
      }
    }
  }
}

/** Waits until a solution version is ACTIVE or has ended otherwise (CREATE FAILED, CREATE STOPPED). */
export async function awaitVersion(
  api: ErasureApi,
  solutionArn: string,
  solutionVersionArn: string,
  wait: StageWait,
  onProgress?: (event: RetrainEvent) => void,
  adopted = false,
): Promise<SolutionVersion> {
  let status: string | undefined;
  return poll(
    async (signal) => {
      const solutionVersion = await describeVersion(api, solutionVersionArn, signal);
      status = solutionVersion?.status;
      return solutionVersion && !inProgress(status) ? solutionVersion : undefined;
    },
    {
      ...wait.pace,
      timeoutMs: wait.timeoutMs,
      signal: wait.signal,
      onLook: (elapsedMs, error, heartbeat) =>
        error ||
        onProgress?.({
          phase: "retrain",
          solutionArn,
          solutionVersionArn,
          status,
          adopted,
          elapsedMs,
          heartbeat,
        }),
      timedOut: (elapsedMs) => new ErasureWaitTimeoutError("retrain", solutionVersionArn, status, elapsedMs),
    },
    wait.clock,
  );
}

/** The campaigns that serve a solution's versions, each described. */
export async function campaignsOf(
  api: ErasureApi,
  solutionArn: string,
  signal?: AbortSignal,
): Promise<Campaign[]> {
  const summaries = await api.list("ListCampaigns", { solutionArn }, "campaigns", signal);
  const campaigns: Campaign[] = [];
  for (const { campaignArn } of named(summaries, "campaignArn")) {
    const campaign = await describeCampaign(api, campaignArn, signal);
    if (campaign) campaigns.push(campaign);
  }
  return campaigns;
}

/** Whether a campaign serves `target` and no update of it is still in progress. */
export function serves(campaign: Campaign, target: string): boolean {
  const update = campaign.latestCampaignUpdate;
  return (
    campaign.solutionVersionArn === target &&
    campaign.status === "ACTIVE" &&
    (!update || update.solutionVersionArn !== target || update.status === "ACTIVE")
  );
}

/**
 * Moves a campaign to `target` and waits until it serves it. A campaign that follows the latest version by
 * itself, or whose update to `target` is already under way (a lost answer, a re-run), is only waited for;
 * UpdateCampaign is called at most once per call, and only when neither is the case.
 */
export async function moveCampaign(
  api: ErasureApi,
  campaign: Campaign,
  target: string,
  wait: StageWait,
  onProgress?: (event: RetrainEvent) => void,
): Promise<{ campaign: Campaign; moved: boolean }> {
  const { campaignArn } = campaign;
  let moved = false;
  let attempted = false;
  let status: string | undefined;
  const done = await poll(
    async (signal) => {
      const now = await describeCampaign(api, campaignArn, signal);
      if (!now) return undefined;
      status = now.latestCampaignUpdate?.status ?? now.status;
      if (serves(now, target)) return now;
      const underway = now.latestCampaignUpdate;
      const updating = underway && inProgress(underway.status);
      const follows = now.campaignConfig?.syncWithLatestSolutionVersion === true;
      if (!moved && !follows && !updating && underway?.solutionVersionArn !== target) {
        attempted = true;
        try {
          // Once: when the answer is lost, the next look shows whether the update took effect.
          await api.callOnce("UpdateCampaign", { campaignArn, solutionVersionArn: target }, signal);
          moved = true;
        } catch (error) {
          // Another update in progress is waited out before trying again.
          if (!(error instanceof ResourceInUseException)) throw error;
        }
      }
      return undefined;
    },
    {
      ...wait.pace,
      timeoutMs: wait.timeoutMs,
      signal: wait.signal,
      onLook: (elapsedMs, error, heartbeat) =>
        error ||
        onProgress?.({
          phase: "campaign",
          campaignArn,
          solutionVersionArn: target,
          status,
          elapsedMs,
          heartbeat,
        }),
      timedOut: (elapsedMs) => new ErasureWaitTimeoutError("campaign", campaignArn, status, elapsedMs),
    },
    wait.clock,
  );
  return {
    campaign: done,
    moved: moved || (attempted && done.latestCampaignUpdate?.solutionVersionArn === target),
  };
}

/**
 * Waits until no other data deletion job of the dataset group is PENDING or IN_PROGRESS: a training now
 * would void their deletion from models (the guide), so this erasure's retrain waits for them.
 */
export async function awaitOtherDeletions(
  jobs: Pick<DataDeletionJobsClient, "paginateDataDeletionJobs">,
  datasetGroupArn: string,
  own: ReadonlySet<string>,
  wait: StageWait,
  onProgress?: (event: RetrainEvent) => void,
): Promise<void> {
  let running: string[] = [];
  await poll(
    async (signal) => {
      running = [];
      for await (const job of jobs.paginateDataDeletionJobs({ datasetGroupArn, pageSize: 100 }, { signal })) {
        if ((job.status === "PENDING" || job.status === "IN_PROGRESS") && !own.has(job.jobName as string)) {
          running.push(job.dataDeletionJobArn as string);
        }
      }
      return running.length === 0 || undefined;
    },
    {
      ...wait.pace,
      timeoutMs: wait.timeoutMs,
      signal: wait.signal,
      onLook: (elapsedMs, error, heartbeat) =>
        error ||
        (running.length > 0 && onProgress?.({ phase: "hold", waitingFor: running, elapsedMs, heartbeat })),
      timedOut: (elapsedMs) =>
        new ErasureWaitTimeoutError("hold", running[0] as string, "running", elapsedMs),
    },
    wait.clock,
  );
}
