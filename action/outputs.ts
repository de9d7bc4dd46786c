// The step's outputs, on success and failure alike: the first job, every job's ARN, the ids' figures, and
// the receipt (as text and as a file a later step can keep).
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@actions/core";
import type { ActionInputs } from "./inputs.ts";
import type { Outcome } from "./outcome.ts";

/** Sets every output of the step; what the run did not reach is empty. */
export function setOutputs(inputs: ActionInputs, { jobs, counts, receipt }: Outcome): void {
  const text = receipt ? JSON.stringify(receipt, null, 2) : "";
  core.setOutput("receipt", text);
  core.setOutput("complete", receipt ? String(receipt.complete) : "false");
  core.setOutput("complete-everywhere", receipt ? String(receipt.completeEverywhere) : "false");
  core.setOutput("stage", receipt?.stage ?? "");
  let file = "";
  if (receipt) {
    // In RUNNER_TEMP, for a later step to keep (actions/upload-artifact, a bucket): it holds no ids. Outside
    // a runner, the system's temporary directory rather than the working tree.
    file = join(process.env.RUNNER_TEMP || tmpdir(), `personalize-erasure-receipt-${receipt.jobName}.json`);
    writeFileSync(file, `${text}\n`);
  }
  core.setOutput("receipt-file", file);
  const first = jobs[0];
  core.setOutput("job-arn", first?.dataDeletionJobArn ?? "");
  core.setOutput("job-name", first?.jobName ?? inputs.jobName);
  core.setOutput(
    "status",
    first ? (jobs.find((j) => j.status === "FAILED")?.status ?? first.status ?? "PENDING") : "",
  );
  core.setOutput(
    "num-deleted",
    jobs.some((j) => j.numDeleted !== undefined)
      ? String(jobs.reduce((n, j) => n + (j.numDeleted ?? 0), 0))
      : "",
  );
  core.setOutput("data-location", first?.dataLocation ?? "");
  core.setOutput("user-count", counts.userCount === undefined ? "" : String(counts.userCount));
  core.setOutput("duplicate-count", counts.duplicateCount === undefined ? "" : String(counts.duplicateCount));
  core.setOutput("job-arns", JSON.stringify(jobs.map((j) => j.dataDeletionJobArn)));
}
