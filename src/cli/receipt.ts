// The erasure receipt at the CLI's edge: written to --receipt FILE, and told in words after the results.
import { writeFile } from "node:fs/promises";
import { type ErasureReceipt, outsideLine } from "../erasure/index.ts";
import { UsageError } from "./options.ts";
import type { Output } from "./output.ts";

/** Writes the receipt as JSON (a file for the 24-month record CCPA's regulations ask for). */
export async function writeReceipt(path: string, receipt: ErasureReceipt, output: Output): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(receipt, null, 2)}\n`);
  } catch (error) {
    throw new UsageError(`cannot write --receipt ${path}: ${(error as Error).message}`);
  }
  output.info(`wrote the erasure receipt to ${path}`);
}

/** The flags a printed command repeats so that it works as printed (region, profile, endpoint). */
export function sameTarget(values: Record<string, unknown>): string {
  return ["region", "profile", "endpoint-url", "s3-endpoint-url"]
    .filter((flag) => typeof values[flag] === "string")
    .map((flag) => ` --${flag} ${values[flag]}`)
    .join("");
}

/** The `status` command for an erasure, as it can be run. */
export function statusCommand(
  receipt: Pick<ErasureReceipt, "datasetGroupArn" | "jobName">,
  retrain: boolean,
  target: string,
): string {
  return `personalize-data-deletion status --dataset-group-arn ${receipt.datasetGroupArn} --job-name ${receipt.jobName}${retrain ? " --retrain" : ""}${target}`;
}

/**
 * Where the erasure stands and what is left, in words, and what to run next: `retrain` is whether this
 * erasure asked for one, `target` the flags that repeat the region and endpoint (see {@link sameTarget}).
 */
export function receiptSummary(receipt: ErasureReceipt, retrain: boolean, target: string): string {
  const lines = [
    `erasure ${receipt.jobName}: ${receipt.complete ? "complete" : `not complete (${receipt.stage})`}`,
  ];
  for (const item of receipt.pending) lines.push(`  left: ${item}`);
  lines.push(`  ${outsideLine(receipt)}`);
  for (const item of receipt.outsidePersonalize.pending) lines.push(`  left: ${item}`);
  if (!receipt.complete && receipt.stage !== "failed") {
    // Only a retrain closes "the models hold the users": the hint asks for it when this run did not.
    const carryOn =
      receipt.stage === "models-hold-users" && !retrain
        ? "run the delete-users command again with --wait --retrain to train the models without the users"
        : "run the delete-users command again with --wait to carry on";
    lines.push(`  ${carryOn}; see where it stands with`);
    lines.push(`  ${statusCommand(receipt, retrain || receipt.retrain.requested, target)}`);
  }
  return lines.join("\n");
}
