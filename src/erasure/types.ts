// The AWS shapes the erasure reads, from the generated model (src/model/operations.ts), and the receipt it
// writes, which is ours.
import type * as Model from "../model/operations.ts";
import type { LocationReport } from "../outside/types.ts";

/**
 * A resource as the erasure holds it: the model's shape with its ARN, which AWS sends for every resource it
 * lists or describes though the model leaves every member optional (src/erasure/survey.ts's `named` keeps
 * only those that carry it).
 */
export type Named<T, K extends keyof T> = T & { [P in K]-?: string };

/** A dataset of the dataset group (ListDatasets). */
export type DatasetSummary = Named<Model.DatasetSummary, "datasetArn">;

/** A dataset import job (ListDatasetImportJobs). */
export type DatasetImportJobSummary = Named<Model.DatasetImportJobSummary, "datasetImportJobArn">;

/** A custom solution (ListSolutions). */
export type SolutionSummary = Named<Model.SolutionSummary, "solutionArn">;

/** A solution version as ListSolutionVersions lists it. */
export type SolutionVersionSummary = Named<Model.SolutionVersionSummary, "solutionVersionArn">;

/** A solution version as DescribeSolutionVersion returns it. */
export type SolutionVersion = Named<Model.SolutionVersion, "solutionVersionArn">;

/** A campaign (DescribeCampaign). */
export type Campaign = Named<Model.Campaign, "campaignArn">;

/** A recommender of a domain dataset group (ListRecommenders). */
export type RecommenderSummary = Named<Model.RecommenderSummary, "recommenderArn">;

/** A batch inference or batch segment job (ListBatchInferenceJobs, ListBatchSegmentJobs). */
export type BatchJobSummary = Model.BatchInferenceJobSummary | Model.BatchSegmentJobSummary;

/** Something that reads or changes the dataset group's data: an import, a training or a batch job. */
export interface Activity {
  kind: "dataset-import-job" | "solution-version" | "batch-inference-job" | "batch-segment-job";
  arn: string;
  status: string;
  /** ISO 8601. */
  createdAt?: string;
  /** ISO 8601; for a resource still in progress, its last update so far. */
  lastUpdatedAt?: string;
}

/** What to do when the dataset group is in use before the deletion job is made. */
export type IfBusy = "wait" | "fail" | "ignore";

/** One deletion job of the erasure in the receipt. */
export interface ReceiptJob {
  /** `deletion` for the erasure's own job(s), `repeat` for one made after interference. */
  purpose: "deletion" | "repeat";
  jobName: string;
  /** SHA-256 of the list the job was made from, from its `erasure-sha256` tag (absent: not tagged). */
  sha256?: string;
  /** Unique ids in that list, from its `erasure-user-count` tag. */
  userCount?: number;
  dataDeletionJobArn?: string;
  status: string;
  numDeleted?: number;
  failureReason?: string;
  dataLocation?: string;
  createdAt?: string;
  completedAt?: string;
  /** Imports and trainings that ran while this job did: they void the guarantee for models. */
  interference: Activity[];
}

/** An uploaded deletion file and what is left of it. */
export interface ReceiptFile {
  dataLocation: string;
  /** SHA-256 of the file as uploaded, when this run prepared it or its metadata is still in S3. */
  sha256?: string;
  bytes?: number;
  /** Versions of the key deleted by this run. */
  versionsDeleted: number;
  /** Versions of the key still in S3 at the end of this run (0: gone). `null` when it could not be listed. */
  versionsLeft: number | null;
  /** The flow did not write it (a given `dataLocation`), so it does not delete it. */
  givenByCaller?: boolean;
}

/** The ids an erasure covers, counted (never listed). */
export interface ReceiptUsers {
  /** Unique ids; `null` when no list was prepared (a data location given by the caller) and no job says. */
  unique: number | null;
  /** Repeated ids removed from this run's list. */
  duplicatesRemoved?: number;
  /** Ids whose surrounding whitespace was removed because the caller opted in (`trimIds`). */
  trimmed?: number;
  /** `this-run`: counted as this run prepared the list; `job-tags`: from the jobs' `erasure-user-count` tags. */
  from: "this-run" | "job-tags" | "unknown";
}

/** A solution's retraining in the receipt. */
export interface ReceiptSolution {
  solutionArn: string;
  /** The newest ACTIVE version trained before the deletion completed: the one still holding the users. */
  trainedBefore?: string;
  /** The version trained after the deletion (the erasure's own, by its name, or adopted). */
  solutionVersionArn?: string;
  name?: string;
  status?: string;
  trainingMode?: string;
  createdAt?: string;
  completedAt?: string;
  failureReason?: string;
}

/** A campaign in the receipt: the version it serves and the version it should serve. */
export interface ReceiptCampaign {
  campaignArn: string;
  solutionArn: string;
  /** The version served before the move, when this run saw it. */
  from?: string;
  /** The version served now. */
  serving?: string;
  /** The version trained after the deletion, when there is one. */
  target?: string;
  /** `syncWithLatestSolutionVersion`: the campaign follows new versions by itself. */
  followsLatest: boolean;
  status?: string;
  /** Whether this run called UpdateCampaign for it. */
  movedByThisRun: boolean;
}

/** A recommender in the receipt: retrained by the service itself, on its own schedule. */
export interface ReceiptRecommender {
  recommenderArn: string;
  status?: string;
  lastUpdatedAt?: string;
  /** Its last update came after the deletion completed. */
  updatedSinceDeletion: boolean;
  /**
   * ISO 8601: the deletion's completion plus 7 days. AWS retrains a recommender fully every 7 days (guide,
   * "Creating recommenders"), so by then it has forgotten the users; absent before the deletion completed.
   */
  forgottenBy?: string;
}

/** The users' data outside Personalize: in S3 files Personalize read or wrote, which no deletion job touches. */
export interface ReceiptOutside {
  /**
   * What this receipt's run did there: `listed` (found the locations from AWS's records and the caller's,
   * read nothing), `scanned` (counted the erased users' rows in every object version), `scrubbed` (and
   * rewrote the objects holding them without them, deleting the noncurrent versions that held them).
   */
  checked: "listed" | "scanned" | "scrubbed";
  /** ISO 8601: when the scan (or scrub) ended; absent when only listed. */
  checkedAt?: string;
  /**
   * Why the locations were only listed, when a scan was asked but could not run (the ids were gone), or what
   * this run could not keep for later runs (its record beside the list).
   */
  reason?: string;
  locations: LocationReport[];
  /** What is left outside Personalize, in words (counts, never ids); empty when `completeEverywhere`. */
  pending: string[];
  /** The suppression object this erasure appended (keyed hashes of its ids, never the ids). */
  suppression?: { location: string; object: string; hashes: number };
}

/**
 * The erasure's record: what was asked, what AWS shows was done, and what is left. Rebuilt from AWS state by
 * every run and by `erasureStatus`; it never holds a user id or a secret. Its JSON Schema ships as
 * `personalize-data-deletion/erasure-receipt.schema.json`.
 */
export interface ErasureReceipt {
  receiptVersion: 3;
  /** The tool that wrote the receipt. */
  tool: { name: string; version: string };
  datasetGroupArn: string;
  jobName: string;
  /** ISO 8601: when the first deletion job was created, as AWS records it; absent before one exists. */
  firstJobCreatedAt?: string;
  /** ISO 8601: when this receipt was made. */
  generatedAt: string;
  /** The requests an intake (the Worker) gathered into this erasure: when they arrived, and how many. */
  requestWindow?: { firstReceivedAt: string; lastReceivedAt: string; requests: number };
  /** How many ids the erasure covers. */
  users: ReceiptUsers;
  /** The check before the deletion job was made; absent when an earlier run made it. */
  preflight?: {
    decision: "idle" | "waited" | "ignored";
    busy: Activity[];
    at: string;
    waitedMs: number;
    /**
     * The source of the dataset group's last FULL import and the erased users' rows it held before the
     * deletion (looked at only when the erasure scans or scrubs): a re-import from it brings them back.
     */
    fullImportSource?: { location: string; matching: number };
  };
  jobs: ReceiptJob[];
  files: ReceiptFile[];
  retrain: {
    requested: boolean;
    solutions: ReceiptSolution[];
    campaigns: ReceiptCampaign[];
    /** ISO 8601: when the last campaign was moved or the last version went ACTIVE. */
    doneAt?: string;
  };
  recommenders: ReceiptRecommender[];
  /** Where the users' data lives outside Personalize (S3), and what the erasure found or did there. */
  outsidePersonalize: ReceiptOutside;
  /** Where the erasure stands: the first stage not yet done. */
  stage:
    | "not-started"
    | "deleting"
    | "repeating"
    | "cleaning-up"
    | "retraining"
    | "moving-campaigns"
    | "failed"
    | "complete"
    | "models-hold-users";
  /** True only when nothing is left to do in Personalize (its datasets, models and the uploaded files). */
  complete: boolean;
  /**
   * True only when `complete` and every location outside Personalize was scanned (or scrubbed) and holds no
   * erased user: `clean` or `scrubbed`. A location only listed (`not-scanned`) may still hold them.
   */
  completeEverywhere: boolean;
  /** What is left, in words. */
  pending: string[];
}
