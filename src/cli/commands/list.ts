import type { DataDeletionJobSummary } from "../../index.ts";
import { makeClient } from "../client.ts";
import { EXIT } from "../exit.ts";
import { COMMON_FLAGS, type Flags, numeric, type Parsed, text } from "../options.ts";
import { type Output, table } from "../output.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  "dataset-group-arn": { type: "string" },
  "page-size": { type: "string" },
};

/** `list`: every job, all pages, newest first. */
export async function run({ values }: Parsed, output: Output): Promise<number> {
  const datasetGroupArn = text(values, "dataset-group-arn");
  const pageSize = numeric(values, "page-size", { fallback: 100, min: 1, max: 100, integer: true });
  const client = await makeClient(values, output);
  const jobs: DataDeletionJobSummary[] = [];
  for await (const job of client.paginateDataDeletionJobs({
    ...(datasetGroupArn ? { datasetGroupArn } : {}),
    pageSize,
  })) {
    jobs.push(job);
  }
  output.result(jobs, () =>
    jobs.length === 0
      ? "no data deletion jobs"
      : table(
          ["NAME", "STATUS", "CREATED", "ARN"],
          jobs.map((j) => [j.jobName, j.status, j.creationDateTime?.toISOString(), j.dataDeletionJobArn]),
        ),
  );
  return EXIT.ok;
}
