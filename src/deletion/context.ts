// What the deletion flow takes, says and returns, and what its stages call: shared by its modules
// (plan, room, flow) so that none of them imports another's types back.
import type { S3Target } from "../aws/s3.ts";
import type { DeletionJobResult, Tag } from "../model/types.ts";
import type { UsersInput } from "./file.ts";
import type { DataDeletionJobsClient } from "./jobs-client.ts";
import type { ListDigest } from "./names.ts";
import type { PollEvent, WaitOptions } from "./waiter.ts";

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
