import type { DataDeletionJob } from "../index.ts";
import { table } from "./output.ts";

/** One job as a two-column table, fields the service left out omitted. */
export function showJob(job: DataDeletionJob): string {
  const rows: [string, string | number | undefined][] = [
    ["name", job.jobName],
    ["arn", job.dataDeletionJobArn],
    ["status", job.status],
    ["dataset group", job.datasetGroupArn],
    ["data location", job.dataSource?.dataLocation],
    ["role", job.roleArn],
    ["records deleted", job.numDeleted],
    ["created", job.creationDateTime?.toISOString()],
    ["updated", job.lastUpdatedDateTime?.toISOString()],
    ["failure reason", job.failureReason],
  ];
  return table(
    ["FIELD", "VALUE"],
    rows.filter(([, v]) => v !== undefined),
  );
}
