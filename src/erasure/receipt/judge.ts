// The receipt's verdict: where an erasure stands and what is left, as a pure function of what was read.
// No I/O here, so every stage and every reason can be tested over a table of states.
import { repeatName } from "../../deletion/names.ts";
import type { LocationReport } from "../../outside/types.ts";
import type {
  ErasureReceipt,
  ReceiptCampaign,
  ReceiptFile,
  ReceiptJob,
  ReceiptRecommender,
  ReceiptSolution,
} from "../types.ts";

/** A stage of an erasure, as the receipt names it. */
export type Stage = ErasureReceipt["stage"];

/** The stages in the order they are done: the receipt's stage is the first one with something left. */
export const STAGE_ORDER: readonly Stage[] = [
  "not-started",
  "failed",
  "deleting",
  "repeating",
  "cleaning-up",
  "retraining",
  "moving-campaigns",
  "models-hold-users",
];

/** Whether `stage` comes before `than` (an erasure at `stage` has not reached `than` yet). */
export const isBefore = (stage: Stage, than: Stage): boolean =>
  stage !== "complete" && STAGE_ORDER.indexOf(stage) < STAGE_ORDER.indexOf(than);

/** Everything the verdict is drawn from, as read from AWS (and what this run alone knows). */
export interface ErasureFacts {
  /** The erasure asked for a retrain (else what the models hold is said, not worked on). */
  retrainRequested: boolean;
  /** Campaigns are to be moved to the new versions. */
  updateCampaigns: boolean;
  jobs: ReceiptJob[];
  /** The SHA-256 of each file this run prepared, by its data location (none when it prepared none). */
  prepared: ReadonlyMap<string, string>;
  files: ReceiptFile[];
  solutions: ReceiptSolution[];
  /** Each campaign, and whether it already serves its solution's new version. */
  campaigns: { row: ReceiptCampaign; servesTarget: boolean }[];
  recommenders: ReceiptRecommender[];
  /** The locations outside Personalize, and what was found there (`not-scanned` when only listed). */
  outside: LocationReport[];
  /** Milliseconds since the epoch: a recommender's `forgottenBy` in the past is done. */
  now: number;
}

/** The verdict: the first stage with something left, whether nothing is, and what is left, in words. */
export interface Verdict {
  stage: Stage;
  complete: boolean;
  /** `complete`, and every location outside Personalize holds no erased user (`clean` or `scrubbed`). */
  completeEverywhere: boolean;
  pending: string[];
  /** What is left outside Personalize, in words (counts, never ids). */
  outsidePending: string[];
}

const OUTSIDE_DONE = new Set(["clean", "scrubbed"]);

// What a location outside Personalize still asks for, in words (counts, never ids).
function outsideLeft(location: LocationReport): string | undefined {
  const where = `outside Personalize: ${location.location} (${location.kind}${location.jobArn ? ` of ${location.jobArn}` : ""})`;
  switch (location.state) {
    case "clean":
    case "scrubbed":
      return undefined;
    case "not-scanned":
      return `${where} may hold the users: not scanned (scan it with --scan, or scrub it with --scrub)`;
    case "unreadable": {
      const why = location.reason ?? location.objects.find((o) => o.reason)?.reason ?? "no reason given";
      return `${where} could not be read: ${why}`;
    }
    case "holds-users": {
      const holding = location.objects.filter((o) => o.state === "holds-users");
      const rows = holding.reduce((n, o) => n + o.matching, 0);
      return `${where} holds ${rows} row${rows === 1 ? "" : "s"} of erased users in ${holding.length} object version${holding.length === 1 ? "" : "s"} (scrub it with --scrub)`;
    }
  }
}

const ENDED = new Set(["COMPLETED", "FAILED"]);
const repeatOf = (job: ReceiptJob, jobs: ReceiptJob[]) =>
  jobs.find((j) => j.purpose === "repeat" && j.jobName === repeatName(job.jobName));

/**
 * Where the erasure stands, and what is left: the jobs, then the list they read, the interference, the
 * uploaded files, the models (each solution, then its campaigns) and the recommenders, in the order the
 * steps are done.
 */
export function judge(facts: ErasureFacts): Verdict {
  const stages = new Set<Stage>();
  const pending: string[] = [];
  const leave = (stage: Stage, what: string) => {
    stages.add(stage);
    pending.push(what);
  };
  for (const job of facts.jobs) {
    if (job.status === "NOT_CREATED") leave("not-started", `no deletion job named ${job.jobName} yet`);
    else if (job.status === "FAILED") {
      leave(
        "failed",
        `deletion job ${job.jobName} FAILED: ${job.failureReason ?? "no reason given"}; erase again under another job name`,
      );
    } else if (!ENDED.has(job.status)) leave("deleting", `deletion job ${job.jobName} is ${job.status}`);
  }
  // Complete means every id of this run's list: each file it prepared read by a job made from its bytes.
  for (const [dataLocation, sha256] of facts.prepared) {
    const job = facts.jobs.find((j) => j.purpose === "deletion" && j.dataLocation === dataLocation);
    if (job && job.sha256 !== sha256) {
      leave(
        "failed",
        `deletion job ${job.jobName} was not made from this run's list (its erasure-sha256 tag is ${job.sha256 ?? "missing"}, the list's is ${sha256}): erase this list under another job name`,
      );
    }
  }
  for (const job of facts.jobs.filter((j) => j.purpose === "deletion" && j.interference.length)) {
    const repeat = repeatOf(job, facts.jobs);
    if (!repeat) {
      leave(
        "repeating",
        `imports or trainings ran during ${job.jobName} (${job.interference.map((a) => a.arn).join(", ")}): AWS advises another deletion job (${repeatName(job.jobName)})`,
      );
    } else if (repeat.interference.length) {
      leave(
        "repeating",
        `imports or trainings ran during the repeat job ${repeat.jobName} too: erase again once the dataset group is idle`,
      );
    }
  }
  for (const file of facts.files) {
    if (file.versionsLeft === null) {
      leave(
        "cleaning-up",
        `${file.dataLocation}: its versions could not be listed (allow s3:ListBucketVersions), so it may still hold the ids`,
      );
    } else if (file.versionsLeft > 0) {
      const owner = file.givenByCaller
        ? "given by the caller, so not deleted by this tool"
        : "deleted once no job needs it; a later run removes it";
      leave(
        "cleaning-up",
        `${file.dataLocation} still holds the ids (${file.versionsLeft} version${file.versionsLeft === 1 ? "" : "s"}; ${owner})`,
      );
    }
  }
  const held: Stage = facts.retrainRequested ? "retraining" : "models-hold-users";
  for (const solution of facts.solutions) {
    const target = solution.status === "ACTIVE" ? solution.solutionVersionArn : undefined;
    if (solution.trainedBefore && !target) {
      const why = solution.solutionVersionArn
        ? `its new version ${solution.solutionVersionArn} is ${solution.status}${solution.failureReason ? ` (${solution.failureReason})` : ""}`
        : facts.retrainRequested
          ? "no version has been trained since the deletion"
          : "the models still hold the users until a new solution version is trained";
      leave(held, `solution ${solution.solutionArn}: ${why}`);
    }
    for (const { row, servesTarget } of facts.campaigns) {
      if (row.solutionArn !== solution.solutionArn || (target && servesTarget)) continue;
      if (!target && !solution.trainedBefore) continue;
      const why =
        target && !facts.updateCampaigns && !row.followsLatest
          ? `serves ${row.serving}, not the new version ${target} (campaign updates are off)`
          : `serves ${row.serving ?? "nothing yet"}, trained before the deletion${target ? `; moving to ${target}` : ""}`;
      leave(target ? "moving-campaigns" : held, `campaign ${row.campaignArn}: ${why}`);
    }
  }
  for (const recommender of facts.recommenders) {
    if (recommender.updatedSinceDeletion) continue;
    const by = recommender.forgottenBy;
    if (by && Date.parse(by) <= facts.now) continue;
    leave(
      "models-hold-users",
      by
        ? `recommender ${recommender.recommenderArn}: holds the users until the service's weekly full retraining, by ${by}`
        : `recommender ${recommender.recommenderArn}: last updated before the deletion; it holds the users until the service retrains it`,
    );
  }
  const stage = STAGE_ORDER.find((s) => stages.has(s)) ?? "complete";
  const complete = stage === "complete";
  const outsidePending = facts.outside.flatMap((location) => outsideLeft(location) ?? []);
  const everywhere = complete && facts.outside.every((l) => OUTSIDE_DONE.has(l.state));
  return { stage, complete, completeEverywhere: everywhere, pending, outsidePending };
}
