import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import * as core from "@actions/core";
import * as github from "@actions/github";
import {
  DatasetGroupBusyError,
  ErasureClient,
  ErasureFailedError,
  type ErasureReceipt,
  ErasureWaitTimeoutError,
} from "../src/erasure/index.ts";
import {
  DataDeletionError,
  DataDeletionJobFailedError,
  type DeletionJobResult,
  lookup,
  prepareDeletionCsv,
  RoomTimeoutError,
  retell,
  ServiceError,
  serializeUserIds,
  ValidationError,
  WaiterTimeoutError,
} from "../src/index.ts";
import { fileSource } from "../src/node/index.ts";
import { globFiles } from "./glob.ts";
import {
  type ActionInputs,
  defaultJobName,
  fieldNames,
  InputError,
  type RunContext,
  readInputs,
} from "./inputs.ts";
import { actionLog } from "./progress.ts";
import { writeSummary } from "./summary.ts";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function runContext(): RunContext {
  let repository: string | undefined;
  try {
    const { owner, repo } = github.context.repo;
    repository = `${owner}/${repo}`;
  } catch {
    repository = undefined;
  }
  return {
    repository,
    runId: github.context.runId || undefined,
    runAttempt: github.context.runAttempt || undefined,
  };
}

function isExpiredToken(error: unknown): boolean {
  if (!(error instanceof ServiceError)) return false;
  return (
    /ExpiredToken|RequestExpired/.test(error.name) ||
    /security token .* expired|token has expired/i.test(error.message)
  );
}

function resumeCommand(inputs: ActionInputs, arn: string): string {
  const endpoint = inputs.endpointUrl ? ` --endpoint-url ${inputs.endpointUrl}` : "";
  return `npx personalize-data-deletion wait ${arn} --region ${inputs.region}${endpoint}`;
}

function statusCommand(inputs: ActionInputs): string {
  const endpoint = inputs.endpointUrl ? ` --endpoint-url ${inputs.endpointUrl}` : "";
  return `npx personalize-data-deletion status --dataset-group-arn ${inputs.datasetGroupArn} --job-name ${inputs.jobName} --region ${inputs.region}${endpoint}`;
}

/** The action: validate inputs, prepare, upload, create, optionally wait; outputs and a job summary. */
export async function run(): Promise<void> {
  // Mask first: nothing below may print them, but a runner's debug log could.
  for (const name of ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
    const value = process.env[name];
    if (value) core.setSecret(value);
  }
  let inputs: ActionInputs;
  try {
    inputs = readInputs(
      (name) => core.getInput(name),
      process.env,
      runContext(),
      (m) => core.warning(m),
    );
  } catch (error) {
    if (error instanceof InputError) {
      fail(error.message, `Invalid input: ${error.input}`);
      return;
    }
    throw error;
  }

  const log = actionLog();
  let jobs: DeletionJobResult[] = [];
  let counts: { userCount?: number; duplicateCount?: number } = {};
  let receipt: ErasureReceipt | undefined;

  try {
    if (!process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY) {
      throw new InputError(
        "credentials",
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: run aws-actions/configure-aws-credentials before this step",
      );
    }
    const client = new ErasureClient({
      region: inputs.region,
      ...(inputs.endpointUrl ? { endpoint: inputs.endpointUrl } : {}),
      ...(inputs.s3EndpointUrl
        ? { s3Endpoint: inputs.s3EndpointUrl }
        : inputs.endpointUrl
          ? { s3Endpoint: inputs.endpointUrl }
          : {}),
      logger: { debug: (m) => core.debug(m), warn: (m) => core.warning(m) },
    });
    const waitOptions = {
      timeoutMs: inputs.waitTimeoutMinutes * 60_000,
      maxDelayMs: inputs.pollIntervalSeconds * 1000,
    };
    const source = inputs.users;
    // Each group opens before the requests it covers, so their debug lines fall inside it.
    log.enter(source.kind === "location" ? "create" : "prepare");
    // Prepared by the flow itself, once it has checked every other input: a typo costs no pass over the file.
    const prepareOptions = { maxFileBytes: inputs.maxFileBytes, trimIds: inputs.trimIds };
    const users =
      source.kind === "file"
        ? () => prepareFiles(source.pattern, prepareOptions)
        : source.kind === "inline"
          ? () => serializeUserIds(source.ids, prepareOptions)
          : undefined;
    let uploaded: string | undefined;
    try {
      const result = await client.eraseUsers({
        ...(users
          ? { users, s3Uri: inputs.s3Uri as string }
          : { dataLocation: (source as { dataLocation: string }).dataLocation }),
        datasetGroupArn: inputs.datasetGroupArn,
        roleArn: inputs.roleArn,
        // Named after the list once it is prepared, unless given; what follows reads the name from inputs.
        jobName: inputs.jobName ?? ((list) => (inputs.jobName = defaultJobName(runContext(), list))),
        ...(inputs.tags ? { tags: inputs.tags } : {}),
        maxFileBytes: inputs.maxFileBytes,
        trimIds: inputs.trimIds,
        keepUploadedFile: inputs.keepUploadedFile,
        failOnJobFailure: inputs.failOnJobFailure,
        wait: inputs.wait ? waitOptions : false,
        ifBusy: inputs.ifBusy,
        repeatOnInterference: inputs.repeatOnInterference,
        ...(inputs.retrain
          ? { retrain: { trainingMode: inputs.trainingMode, updateCampaigns: inputs.updateCampaigns } }
          : {}),
        onProgress: (event) => {
          log.report(event);
          if (event.phase === "prepare") {
            counts = { userCount: event.userCount, duplicateCount: event.duplicateCount };
          } else if (event.phase === "upload") {
            uploaded = event.dataLocation;
          } else if (event.phase === "create") {
            // Known from here on, so a later failure (a timeout, an expired session) still reports it.
            jobs.push({
              jobName: event.jobName,
              dataDeletionJobArn: event.dataDeletionJobArn,
              dataLocation: uploaded ?? (source.kind === "location" ? source.dataLocation : ""),
              adopted: event.adopted,
              uploadedFileDeleted: false,
            });
          } else if (event.phase === "wait") {
            const job = jobs.find((j) => j.jobName === event.jobName);
            if (job && event.status) job.status = event.status;
          }
        },
      });
      jobs = result.jobs;
      receipt = result.receipt;
    } catch (error) {
      if (error instanceof DataDeletionJobFailedError && error.jobs) jobs = error.jobs;
      if (error instanceof ErasureFailedError) receipt = error.receipt;
      // A wait that timed out still has a record: where the erasure stands, read from AWS.
      if (
        (error instanceof WaiterTimeoutError || error instanceof ErasureWaitTimeoutError) &&
        inputs.jobName
      ) {
        receipt = await client
          .erasureStatus({
            datasetGroupArn: inputs.datasetGroupArn,
            jobName: inputs.jobName,
            retrain: inputs.retrain,
          })
          .catch(() => undefined);
      }
      throw error;
    }
    for (const job of jobs) {
      if (job.status === "FAILED")
        core.warning(
          `${job.jobName} FAILED (${job.failureReason})${job.uploadedFileDeleted ? "; its uploaded list was deleted" : `; its input is at ${job.dataLocation}`}`,
        );
    }
    // An id list that deleted nothing is most often a list of ids the dataset group never had.
    const deleted = jobs.reduce((n, j) => n + (j.numDeleted ?? 0), 0);
    if (
      source.kind !== "location" &&
      jobs.length > 0 &&
      jobs.every((j) => j.status === "COMPLETED") &&
      deleted === 0
    ) {
      core.warning(
        `the job COMPLETED but deleted 0 records for the ${plural(counts.userCount ?? 0, "user id")} given: check that they are ids of ${inputs.datasetGroupArn} (user-ids takes ids separated by newlines or commas)`,
        { title: "No records deleted" },
      );
    }
    if (receipt) reportReceipt(receipt, inputs);
    log.end();
    setOutputs(inputs, jobs, counts, receipt);
    await writeSummary(inputs, jobs, counts, receipt);
  } catch (error) {
    log.end();
    try {
      setOutputs(inputs, jobs, counts, receipt);
    } catch (outputError) {
      core.warning(`could not write the outputs: ${(outputError as Error).message}`);
    }
    const message = explain(error, inputs, jobs.at(-1)?.dataDeletionJobArn);
    if (jobs.length > 0 || receipt) await writeSummary(inputs, jobs, counts, receipt).catch(() => {});
    const input = error instanceof InputError ? error.input : inputOf(error, inputs);
    fail(message, input ? `Invalid input: ${input}` : titleOf(error));
  }
}

// One annotation per failure, with a title saying what kind; the exit code fails the step.
function fail(message: string, title: string): void {
  core.error(message, { title });
  process.exitCode = 1;
}

// What is left, as one notice: the models hold the users until a retrain, a file could not be removed...
function reportReceipt(receipt: ErasureReceipt, inputs: ActionInputs): void {
  if (receipt.complete) {
    core.info(`Erasure ${receipt.jobName} is complete: nothing is left to do in Personalize or S3`);
    return;
  }
  core.notice(
    `Erasure ${receipt.jobName} is not complete (${receipt.stage}):\n${receipt.pending.map((p) => `- ${p}`).join("\n")}\nRe-run this step with the same job-name to carry on, or see where it stands with: ${statusCommand(inputs)}`,
    { title: "Erasure not complete" },
  );
}

function titleOf(error: unknown): string {
  if (error instanceof DatasetGroupBusyError) return "Dataset group in use (nothing was uploaded)";
  if (error instanceof ErasureWaitTimeoutError) return "Stopped waiting (the training or update goes on)";
  if (error instanceof DataDeletionJobFailedError) return "Data deletion job FAILED";
  if (error instanceof WaiterTimeoutError) return "Stopped waiting (the job goes on)";
  if (error instanceof RoomTimeoutError) return "Stopped waiting for room (nothing was created)";
  if (error instanceof ServiceError) return `AWS error: ${error.name}`;
  if (error instanceof DataDeletionError) return error.name;
  return "Unexpected error";
}

async function prepareFiles(pattern: string, options: { maxFileBytes: number; trimIds: boolean }) {
  const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
  const files = globFiles(pattern, cwd);
  if (files.length === 0) throw new InputError("user-ids-file", "matches no file", pattern);
  core.info(`Reading ${files.map((f) => basename(f)).join(", ")}`);
  // Each file is streamed as it is parsed, one at a time: a large list is never held whole.
  const sources = [];
  for (const path of files) sources.push(await fileSource(path));
  return prepareDeletionCsv(sources, { headerless: "auto", ...options });
}

// The input a library ValidationError is about, in the action's own name.
function inputOf(error: unknown, inputs: ActionInputs): string | undefined {
  if (!(error instanceof ValidationError)) return undefined;
  const path = error.issues[0]?.path;
  return path === undefined ? undefined : lookup(fieldNames(inputs), path)?.name.replace(/^input /, "");
}

function explain(error: unknown, inputs: ActionInputs, arn: string | undefined): string {
  if (error instanceof WaiterTimeoutError) {
    return `${error.message}: a deletion job can take up to a day, longer than a job step may run. Re-run this step with the same job-name to carry on, or check it with: ${resumeCommand(inputs, error.dataDeletionJobArn)}`;
  }
  if (error instanceof ErasureWaitTimeoutError) {
    return `${error.message}. Re-run this step with the same job-name to carry on; see where it stands with: ${statusCommand(inputs)}`;
  }
  if (error instanceof DatasetGroupBusyError)
    return `${error.message}. Run again once they are done, or set if-busy: wait`;
  if (error instanceof RoomTimeoutError) {
    return `${error.message}. Run this step again with the same job-name: the parts created so far are adopted and the rest follow.`;
  }
  if (isExpiredToken(error) && arn) {
    return `the AWS session expired while waiting for ${arn}: raise role-duration-seconds on aws-actions/configure-aws-credentials (the default is 1 hour), or wait in a later step. The job goes on; resume with: ${resumeCommand(inputs, arn)}`;
  }
  if (error instanceof ServiceError && error.requestId)
    return `${error.message} (${error.name}, request id ${error.requestId})`;
  if (error instanceof InputError) return error.message;
  if (error instanceof DataDeletionError) return retell(error, fieldNames(inputs));
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

function setOutputs(
  inputs: ActionInputs,
  jobs: DeletionJobResult[],
  counts: { userCount?: number; duplicateCount?: number },
  receipt: ErasureReceipt | undefined,
): void {
  const text = receipt ? JSON.stringify(receipt, null, 2) : "";
  core.setOutput("receipt", text);
  core.setOutput("complete", receipt ? String(receipt.complete) : "false");
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
