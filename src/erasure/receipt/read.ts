// The erasure as AWS shows it: its deletion jobs by name, what ran while they did, what is left of the
// uploaded file, the solution versions trained since and the versions campaigns serve. Nothing is kept
// locally, so any run (or `status`) rebuilds the same receipt from the same state.

import { countVersions } from "../../aws/s3-versions.ts";
import type { DataDeletionJobsClient } from "../../deletion/jobs-client.ts";
import { listOfTags, partName, repeatName, retrainName } from "../../deletion/names.ts";
import type { DataDeletionJob, Tag } from "../../model/types.ts";
import { discoverLocations } from "../../outside/discover.ts";
import type { LocationReport, OutsideLocation } from "../../outside/types.ts";
import { TOOL } from "../../version.ts";
import type { ErasureContext } from "../context.ts";
import {
  type OutsideRecord,
  outsideRecordLocation,
  readOutsideRecord,
  withRecord,
} from "../stages/outside-record.ts";
import { campaignsOf, findRetrained, serves } from "../stages/retrain.ts";
import { inProgress, iso, ranDuring, type Survey, surveyDatasetGroup } from "../survey.ts";
import type { ErasureReceipt, ReceiptCampaign, ReceiptFile, ReceiptJob, ReceiptSolution } from "../types.ts";
import { type ErasureFacts, judge } from "./judge.ts";

/** What only the run that did it knows, added to what AWS shows. */
export interface RunFacts {
  startedAt: number;
  users?: Omit<ErasureReceipt["users"], "from">;
  preflight?: ErasureReceipt["preflight"];
  /** By data location: the SHA-256 and size prepared, and how many versions this run deleted. */
  files?: Map<string, { sha256?: string; bytes?: number; versionsDeleted: number; givenByCaller?: boolean }>;
  /** Campaigns this run moved, with the version each served before. */
  moved?: Map<string, string | undefined>;
  /** What this run's outside stage found (and scrubbed); absent when it did not run. */
  outside?: OutsideRecord;
  /** The locations outside Personalize found once by this run (AWS's records and the caller's). */
  discovered?: OutsideLocation[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The locations outside Personalize: AWS's records of the dataset group, then the caller's own. */
export async function outsideLocations(
  context: ErasureContext,
  input: Pick<InspectInput, "datasetGroupArn" | "locations" | "signal">,
  facts: RunFacts,
): Promise<OutsideLocation[]> {
  if (!facts.discovered) {
    const found = await discoverLocations(context.api, input.datasetGroupArn, input.signal ?? undefined);
    const given = (input.locations ?? []).map((location): OutsideLocation => ({ kind: "given", location }));
    facts.discovered = [...found, ...given];
  }
  return facts.discovered;
}

const listed = (locations: OutsideLocation[]): LocationReport[] =>
  locations.map((location) => ({ ...location, state: "not-scanned", objects: [] }));

// Without this run's stage: what an earlier run recorded beside the list (it had the ids), else listed.
async function recordedOrListed(
  context: ErasureContext,
  input: InspectInput,
  facts: RunFacts,
  jobs: ReceiptJob[],
): Promise<OutsideRecord> {
  const locations = listed(await outsideLocations(context, input, facts));
  const first = jobs.find((j) => j.purpose === "deletion" && j.dataLocation)?.dataLocation;
  const where = first && outsideRecordLocation(first, input.jobName);
  const record = where && (await readOutsideRecord(context.s3, where, input.signal ?? undefined));
  return record ? withRecord(record, locations) : { checked: "listed", locations };
}

/** What to inspect: the erasure's job name (its parts' names when split) and whether retraining is asked. */
export interface InspectInput {
  datasetGroupArn: string;
  jobName: string;
  /** The deletion jobs' names; default: `jobName`, else `jobName-part-1`, `-part-2`... as far as they exist. */
  jobNames?: string[];
  retrain: boolean;
  updateCampaigns: boolean;
  signal?: AbortSignal | undefined;
  /** A survey this run just made, when nothing it reads can have changed since (saves a dozen calls). */
  survey?: Survey | undefined;
  /** Locations outside Personalize the caller names (`s3://…` objects or prefixes), besides AWS's records. */
  locations?: readonly string[] | undefined;
}

const TERMINAL = new Set(["COMPLETED", "FAILED"]);

type Finder = Pick<DataDeletionJobsClient, "findJobByName">;

/**
 * The erasure's deletion jobs by name: `jobNames` when given, else `jobName`, else its `-part-1`, `-part-2`...
 * as far as they exist; `[jobName, undefined]` when none does.
 */
export async function findErasureJobs(
  jobs: Finder,
  input: Pick<InspectInput, "datasetGroupArn" | "jobName" | "jobNames" | "signal">,
): Promise<[string, DataDeletionJob | undefined][]> {
  const find = (name: string) => jobs.findJobByName(input.datasetGroupArn, name, input.signal);
  if (input.jobNames) return Promise.all(input.jobNames.map(async (n) => [n, await find(n)] as const));
  const whole = await find(input.jobName);
  if (whole) return [[input.jobName, whole]];
  const found: [string, DataDeletionJob | undefined][] = [];
  for (let i = 1; ; i++) {
    const name = partName(input.jobName, i);
    const job = await find(name);
    if (!job) return found.length ? found : [[input.jobName, undefined]];
    found.push([name, job]);
  }
}

function receiptJob(
  purpose: ReceiptJob["purpose"],
  jobName: string,
  [job, tags]: [DataDeletionJob | undefined, Tag[]],
  survey: Survey,
  now: Date,
): ReceiptJob {
  const out: ReceiptJob = {
    purpose,
    jobName,
    ...listOfTags(tags),
    status: job?.status ?? "NOT_CREATED",
    interference: [],
  };
  if (!job) return out;
  const ended = TERMINAL.has(job.status ?? "");
  Object.assign(out, {
    dataDeletionJobArn: job.dataDeletionJobArn,
    dataLocation: job.dataSource?.dataLocation,
    createdAt: iso(job.creationDateTime),
    ...(ended && { completedAt: iso(job.lastUpdatedDateTime) }),
    ...(job.numDeleted !== undefined && { numDeleted: job.numDeleted }),
    ...(job.failureReason && { failureReason: job.failureReason }),
  });
  if (job.creationDateTime) {
    const to = ended && job.lastUpdatedDateTime ? job.lastUpdatedDateTime : now;
    out.interference = ranDuring(survey, job.creationDateTime, to, new Set());
  }
  return JSON.parse(JSON.stringify(out)) as ReceiptJob;
}

async function fileState(
  context: ErasureContext,
  dataLocation: string,
  facts: RunFacts,
  signal?: AbortSignal,
): Promise<ReceiptFile> {
  const known = facts.files?.get(dataLocation);
  const out: ReceiptFile = { dataLocation, versionsDeleted: known?.versionsDeleted ?? 0, versionsLeft: null };
  if (known?.sha256) out.sha256 = known.sha256;
  if (known?.bytes !== undefined) out.bytes = known.bytes;
  if (known?.givenByCaller) out.givenByCaller = true;
  // Without s3:ListBucketVersions the versions cannot be counted: the receipt says so, not "gone".
  out.versionsLeft = await countVersions(context.s3, dataLocation, signal);
  return out;
}

// The count of ids: as this run prepared them, else as the deletion jobs' tags say, else unknown.
function usersOf(facts: RunFacts, jobs: ReceiptJob[]): ErasureReceipt["users"] {
  if (facts.users) return { ...facts.users, from: "this-run" };
  const deletions = jobs.filter((j) => j.purpose === "deletion");
  if (deletions.length && deletions.every((j) => j.userCount !== undefined)) {
    return { unique: deletions.reduce((n, j) => n + (j.userCount as number), 0), from: "job-tags" };
  }
  return { unique: null, from: "unknown" };
}

/** Builds the receipt of one erasure from AWS state (and what this run alone knows). */
export async function inspectErasure(
  context: ErasureContext,
  input: InspectInput,
  facts: RunFacts = { startedAt: context.jobs.clock.now() },
): Promise<ErasureReceipt> {
  const { signal } = input;
  const now = new Date(context.jobs.clock.now());
  const found = await findErasureJobs(context.jobs, input);
  const repeats = await Promise.all(
    found.map(async ([name]) => {
      const repeat = repeatName(name);
      return [repeat, await context.jobs.findJobByName(input.datasetGroupArn, repeat, signal)] as const;
    }),
  );
  // Which list each job was made from: its tags, read back from AWS.
  const tagged = async (job: DataDeletionJob | undefined): Promise<[DataDeletionJob | undefined, Tag[]]> => [
    job,
    job?.dataDeletionJobArn ? await context.jobs.listTagsForResource(job.dataDeletionJobArn, { signal }) : [],
  ];
  const survey = input.survey ?? (await surveyDatasetGroup(context.api, input.datasetGroupArn, signal));

  const jobs = [
    ...(await Promise.all(
      found.map(async ([name, job]) => receiptJob("deletion", name, await tagged(job), survey, now)),
    )),
    ...(await Promise.all(
      repeats
        .filter(([, job]) => job)
        .map(async ([name, job]) => receiptJob("repeat", name, await tagged(job), survey, now)),
    )),
  ];
  const created = jobs.flatMap((j) => (j.createdAt ? [Date.parse(j.createdAt)] : []));
  const completed = jobs.flatMap((j) => (j.completedAt ? [Date.parse(j.completedAt)] : []));
  const deletedAt =
    completed.length === jobs.length && jobs.length ? new Date(Math.max(...completed)) : undefined;
  const locations = [...new Set(jobs.flatMap((j) => (j.dataLocation ? [j.dataLocation] : [])))];
  const files: ReceiptFile[] = [];
  for (const location of locations) files.push(await fileState(context, location, facts, signal));

  const solutions: ReceiptSolution[] = [];
  const campaigns: ErasureFacts["campaigns"] = [];
  const moves: (string | undefined)[] = [];
  for (const { solution, versions } of survey.solutions) {
    const before = versions
      .filter(
        (v) =>
          v.status === "ACTIVE" && (!deletedAt || (v.creationDateTime?.getTime() ?? 0) < deletedAt.getTime()),
      )
      .sort((a, b) => (b.creationDateTime?.getTime() ?? 0) - (a.creationDateTime?.getTime() ?? 0))[0];
    const entry: ReceiptSolution = { solutionArn: solution.solutionArn };
    if (before) entry.trainedBefore = before.solutionVersionArn;
    const retrained = deletedAt
      ? await findRetrained(context.api, versions, retrainName(input.jobName), deletedAt, signal)
      : undefined;
    if (retrained) {
      Object.assign(entry, {
        solutionVersionArn: retrained.solutionVersionArn,
        name: retrained.name,
        status: retrained.status,
        trainingMode: retrained.trainingMode,
        createdAt: iso(retrained.creationDateTime),
        ...(!inProgress(retrained.status) && { completedAt: iso(retrained.lastUpdatedDateTime) }),
        ...(retrained.failureReason && { failureReason: retrained.failureReason }),
      });
    }
    solutions.push(JSON.parse(JSON.stringify(entry)) as ReceiptSolution);
    const target = retrained?.status === "ACTIVE" ? retrained.solutionVersionArn : undefined;
    for (const campaign of await campaignsOf(context.api, solution.solutionArn, signal)) {
      const row: ReceiptCampaign = {
        campaignArn: campaign.campaignArn,
        solutionArn: solution.solutionArn,
        followsLatest: campaign.campaignConfig?.syncWithLatestSolutionVersion === true,
        movedByThisRun: facts.moved?.has(campaign.campaignArn) ?? false,
      };
      const from = facts.moved?.get(campaign.campaignArn);
      if (from) row.from = from;
      if (campaign.solutionVersionArn) row.serving = campaign.solutionVersionArn;
      if (target) row.target = target;
      if (campaign.status) row.status = campaign.status;
      const servesTarget = target !== undefined && serves(campaign, target);
      if (servesTarget) moves.push(iso(campaign.latestCampaignUpdate?.lastUpdatedDateTime));
      campaigns.push({ row, servesTarget });
    }
  }
  const recommenders = survey.recommenders.map((r) => ({
    recommenderArn: r.recommenderArn,
    ...(r.status && { status: r.status }),
    ...(r.lastUpdatedDateTime && { lastUpdatedAt: iso(r.lastUpdatedDateTime) }),
    updatedSinceDeletion:
      deletedAt !== undefined && (r.lastUpdatedDateTime?.getTime() ?? 0) > deletedAt.getTime(),
    ...(deletedAt && { forgottenBy: new Date(deletedAt.getTime() + 7 * DAY_MS).toISOString() }),
  }));
  const outside = facts.outside ?? (await recordedOrListed(context, input, facts, jobs));
  const prepared = new Map<string, string>();
  for (const [dataLocation, file] of facts.files ?? [])
    if (file.sha256) prepared.set(dataLocation, file.sha256);
  const { stage, complete, completeEverywhere, pending, outsidePending } = judge({
    retrainRequested: input.retrain,
    updateCampaigns: input.updateCampaigns,
    jobs,
    prepared,
    files,
    solutions,
    campaigns,
    recommenders,
    outside: outside.locations,
    now: now.getTime(),
  });
  const doneAt = [...solutions.map((s) => s.completedAt), ...moves]
    .filter((t): t is string => Boolean(t))
    .sort()
    .pop();
  const receipt: ErasureReceipt = {
    receiptVersion: 3,
    tool: { ...TOOL },
    datasetGroupArn: input.datasetGroupArn,
    jobName: input.jobName,
    ...(created.length && { firstJobCreatedAt: new Date(Math.min(...created)).toISOString() }),
    generatedAt: now.toISOString(),
    users: usersOf(facts, jobs),
    ...(facts.preflight && { preflight: facts.preflight }),
    jobs,
    files,
    retrain: {
      requested: input.retrain,
      solutions,
      campaigns: campaigns.map((c) => c.row),
      ...(doneAt && complete && { doneAt }),
    },
    recommenders,
    outsidePersonalize: { ...outside, pending: outsidePending },
    stage,
    complete,
    completeEverywhere,
    pending,
  };
  return receipt;
}
