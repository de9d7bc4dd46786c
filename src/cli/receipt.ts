// The erasure receipt at the CLI's edge: written to --receipt FILE, and told in words after the results.
import { writeFile } from "node:fs/promises";
import type { ErasureReceipt } from "../erasure/index.ts";
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

/** Where the erasure stands and what is left, in words. */
export function receiptSummary(receipt: ErasureReceipt): string {
  const lines = [
    `erasure ${receipt.jobName}: ${receipt.complete ? "complete" : `not complete (${receipt.stage})`}`,
  ];
  for (const item of receipt.pending) lines.push(`  left: ${item}`);
  for (const job of receipt.outsidePersonalize) {
    lines.push(`  outside Personalize: the output in S3 of ${job.kind} ${job.arn} may still hold the users`);
  }
  if (!receipt.complete && receipt.stage !== "failed") {
    lines.push("  run the same command again (with --wait) to carry on; 'status' shows where it stands");
  }
  return lines.join("\n");
}
