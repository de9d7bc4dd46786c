import * as core from "@actions/core";
import type { DeletionJobResult } from "../src/index.ts";
import type { ActionInputs } from "./inputs.ts";

/** The console page of a dataset group. */
export function consoleUrl(region: string, datasetGroupArn: string): string {
  const name = datasetGroupArn.replace(/^.*:dataset-group\//, "");
  const base = datasetGroupArn.replace(/:dataset-group\/.*$/, ":dataset-group");
  return `https://${region}.console.aws.amazon.com/personalize/home?region=${region}#${base}$${encodeURIComponent(name)}/setup`;
}

/** Writes the job summary: a table of the job(s) and a link to the dataset group. No secret is in it. */
export async function writeSummary(
  inputs: ActionInputs,
  jobs: DeletionJobResult[],
  counts: { userCount?: number; duplicateCount?: number },
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  // @actions/core writes an empty cell as an unclosed <td>: every cell says something.
  const cell = (value: number | undefined) => (value === undefined ? "—" : String(value));
  const rows = jobs.map((job) => [
    job.jobName,
    job.dataDeletionJobArn,
    job.status ?? "PENDING (not waited for)",
    cell(jobs.length === 1 ? counts.userCount : undefined),
    cell(jobs.length === 1 ? counts.duplicateCount : undefined),
    cell(job.numDeleted),
    job.dataLocation + (job.uploadedFileDeleted ? " (deleted after completion)" : ""),
  ]);
  await core.summary
    .addHeading("Personalize data deletion", 2)
    .addTable([
      [
        { data: "Job", header: true },
        { data: "ARN", header: true },
        { data: "Status", header: true },
        { data: "Users", header: true },
        { data: "Duplicates removed", header: true },
        { data: "Records deleted", header: true },
        { data: "Data location", header: true },
      ],
      ...rows,
    ])
    .addRaw(
      jobs.length > 1 && counts.userCount !== undefined
        ? `${counts.userCount} users, ${counts.duplicateCount} duplicates removed, in ${jobs.length} jobs.\n\n`
        : "",
    )
    .addLink(
      `Dataset group ${inputs.datasetGroupArn} in the console`,
      consoleUrl(inputs.region, inputs.datasetGroupArn),
    )
    .write();
}
