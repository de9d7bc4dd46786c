import * as core from "@actions/core";
import { type ErasureReceipt, outsideLine } from "../src/erasure/index.ts";
import type { DeletionJobResult } from "../src/index.ts";
import type { ActionInputs } from "./inputs.ts";

/** The console page of a dataset group. */
export function consoleUrl(region: string, datasetGroupArn: string): string {
  const name = datasetGroupArn.replace(/^.*:dataset-group\//, "");
  const base = datasetGroupArn.replace(/:dataset-group\/.*$/, ":dataset-group");
  return `https://${region}.console.aws.amazon.com/personalize/home?region=${region}#${base}$${encodeURIComponent(name)}/setup`;
}

/**
 * Writes the job summary: a table of the job(s), where the erasure stands and what is left, the models
 * retrained and campaigns moved, the receipt, and a link to the dataset group. No secret or user id is in it.
 */
export async function writeSummary(
  inputs: ActionInputs,
  jobs: DeletionJobResult[],
  counts: { userCount?: number; duplicateCount?: number },
  receipt?: ErasureReceipt,
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
    .addRaw(receipt ? erasureSection(receipt) : "")
    .addLink(
      `Dataset group ${inputs.datasetGroupArn} in the console`,
      consoleUrl(inputs.region, inputs.datasetGroupArn),
    )
    .write();
}

const escapeHtml = (text: string) =>
  text.replace(/[<>&]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&amp;"));

// The receipt in words, then itself: the record of the request and its response.
function erasureSection(receipt: ErasureReceipt): string {
  const lines = [`\n\n### Erasure: ${receipt.complete ? "complete" : `not complete (${receipt.stage})`}\n`];
  if (receipt.pending.length) {
    lines.push("Left to do:\n");
    for (const item of receipt.pending) lines.push(`- ${escapeHtml(item)}`);
    lines.push("");
  }
  for (const solution of receipt.retrain.solutions) {
    if (solution.solutionVersionArn)
      lines.push(`- Retrained ${solution.solutionArn}: ${solution.solutionVersionArn} (${solution.status})`);
  }
  for (const campaign of receipt.retrain.campaigns) {
    const from = campaign.from ? `${campaign.from} → ` : "";
    lines.push(
      `- Campaign ${campaign.campaignArn}: ${from}${campaign.serving ?? "—"}${campaign.followsLatest ? " (follows the latest version)" : ""}`,
    );
  }
  lines.push(`- ${escapeHtml(outsideLine(receipt))}`);
  for (const item of receipt.outsidePersonalize.pending) lines.push(`  - ${escapeHtml(item)}`);
  lines.push(
    "",
    "<details><summary>Receipt (no user ids; the step's receipt-file output holds it)</summary>\n",
    "```json",
    JSON.stringify(receipt, null, 2),
    "```",
    "</details>\n\n",
  );
  return lines.join("\n");
}
