// The public types of the deletion operations: the generated model's (src/model/operations.ts), with the
// status values named and the data location the guide requires; and what `deleteUsers` returns.
import type * as Model from "./operations.ts";

/** Where a deletion job reads its CSV: `s3://bucket/key.csv` or a folder `s3://bucket/folder/`. */
export type DataSource = Model.DataSource;

/** A resource tag, in the service's own shape. */
export type Tag = Model.Tag;

/** Status of a data deletion job: PENDING > IN_PROGRESS > COMPLETED or FAILED. */
export type DataDeletionJobStatus = "PENDING" | "IN_PROGRESS" | "COMPLETED" | "FAILED" | (string & {});

/** Input of CreateDataDeletionJob (the AWS names and shapes); the guide requires the data location. */
export interface CreateDataDeletionJobInput extends Model.CreateDataDeletionJobRequest {
  dataSource: { dataLocation: string };
}

/** Output of CreateDataDeletionJob. */
export type CreateDataDeletionJobOutput = Model.CreateDataDeletionJobResponse;

/** Input of DescribeDataDeletionJob. */
export type DescribeDataDeletionJobInput = Model.DescribeDataDeletionJobRequest;

/** A data deletion job as DescribeDataDeletionJob returns it; timestamps are `Date`s as in the AWS SDK. */
export interface DataDeletionJob extends Model.DataDeletionJob {
  status?: DataDeletionJobStatus;
}

/** Output of DescribeDataDeletionJob. */
export interface DescribeDataDeletionJobOutput extends Model.DescribeDataDeletionJobResponse {
  dataDeletionJob?: DataDeletionJob;
}

/** Input of ListDataDeletionJobs. Without `datasetGroupArn` the service lists every job of the account. */
export type ListDataDeletionJobsInput = Model.ListDataDeletionJobsRequest;

/** One job in a ListDataDeletionJobs page. */
export interface DataDeletionJobSummary extends Model.DataDeletionJobSummary {
  status?: DataDeletionJobStatus;
}

/** Output of ListDataDeletionJobs. */
export interface ListDataDeletionJobsOutput extends Model.ListDataDeletionJobsResponse {
  dataDeletionJobs?: DataDeletionJobSummary[];
}

/** One job made (or adopted) by `deleteUsers`. */
export interface DeletionJobResult {
  jobName: string;
  dataDeletionJobArn: string;
  dataLocation: string;
  /** True when the job already existed with the same dataset group and file (a re-run). */
  adopted: boolean;
  /** Known once waited for. */
  status?: string | undefined;
  numDeleted?: number | undefined;
  failureReason?: string | undefined;
  /** Whether the uploaded CSV was deleted after the job COMPLETED. */
  uploadedFileDeleted: boolean;
  job?: DataDeletionJob;
}
