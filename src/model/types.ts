/** Where a deletion job reads its CSV: `s3://bucket/key.csv` or a folder `s3://bucket/folder/`. */
export interface DataSource {
  dataLocation?: string;
}

/** A resource tag, in the service's own shape. */
export interface Tag {
  tagKey: string;
  tagValue: string;
}

/** Status of a data deletion job: PENDING > IN_PROGRESS > COMPLETED or FAILED. */
export type DataDeletionJobStatus = "PENDING" | "IN_PROGRESS" | "COMPLETED" | "FAILED" | (string & {});

/** Input of CreateDataDeletionJob (the AWS names and shapes). */
export interface CreateDataDeletionJobInput {
  jobName: string;
  datasetGroupArn: string;
  dataSource: { dataLocation: string };
  roleArn: string;
  tags?: Tag[];
}

/** Output of CreateDataDeletionJob. */
export interface CreateDataDeletionJobOutput {
  dataDeletionJobArn?: string;
}

/** Input of DescribeDataDeletionJob. */
export interface DescribeDataDeletionJobInput {
  dataDeletionJobArn: string;
}

/** A data deletion job as DescribeDataDeletionJob returns it; timestamps are `Date`s as in the AWS SDK. */
export interface DataDeletionJob {
  jobName?: string;
  dataDeletionJobArn?: string;
  datasetGroupArn?: string;
  dataSource?: DataSource;
  roleArn?: string;
  status?: DataDeletionJobStatus;
  numDeleted?: number;
  creationDateTime?: Date;
  lastUpdatedDateTime?: Date;
  failureReason?: string;
}

/** Output of DescribeDataDeletionJob. */
export interface DescribeDataDeletionJobOutput {
  dataDeletionJob?: DataDeletionJob;
}

/** Input of ListDataDeletionJobs. Without `datasetGroupArn` the service lists every job of the account. */
export interface ListDataDeletionJobsInput {
  datasetGroupArn?: string;
  maxResults?: number;
  nextToken?: string;
}

/** One job in a ListDataDeletionJobs page. */
export interface DataDeletionJobSummary {
  dataDeletionJobArn?: string;
  datasetGroupArn?: string;
  jobName?: string;
  status?: DataDeletionJobStatus;
  creationDateTime?: Date;
  lastUpdatedDateTime?: Date;
  failureReason?: string;
}

/** Output of ListDataDeletionJobs. */
export interface ListDataDeletionJobsOutput {
  dataDeletionJobs?: DataDeletionJobSummary[];
  nextToken?: string;
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
