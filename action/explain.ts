// A failed run in the action's words: one annotation, with a title saying what kind, the input at fault in
// the action's own name, and what to run next.
import * as core from "@actions/core";
import { DatasetGroupBusyError, ErasureWaitTimeoutError } from "../src/erasure/index.ts";
import {
  DataDeletionError,
  DataDeletionJobFailedError,
  lookup,
  RoomTimeoutError,
  retell,
  ServiceError,
  ValidationError,
  WaiterTimeoutError,
} from "../src/index.ts";
import { type ActionInputs, fieldNames, InputError } from "./inputs.ts";

/** Fails the step with one annotation (the exit code fails it). */
export function fail(message: string, title: string): void {
  core.error(message, { title });
  process.exitCode = 1;
}

/** Fails the step for `error`; `arn` is the last job made, for a resume command. */
export function failWith(error: unknown, inputs: ActionInputs, arn: string | undefined): void {
  const input = error instanceof InputError ? error.input : inputOf(error, inputs);
  fail(explain(error, inputs, arn), input ? `Invalid input: ${input}` : titleOf(error));
}

/** The CLI command that shows where the erasure stands. */
export function statusCommand(inputs: ActionInputs): string {
  const retrain = inputs.retrain ? " --retrain" : "";
  return `npx personalize-data-deletion status --dataset-group-arn ${inputs.datasetGroupArn} --job-name ${inputs.jobName}${retrain} --region ${inputs.region}${endpoint(inputs)}`;
}

/** How to carry the erasure on: the same step again, with the retrain when the models are what is left. */
export function carryOn(inputs: ActionInputs, stage?: string): string {
  const again = inputs.jobName
    ? `Re-run this step with the same list and job-name ${inputs.jobName}`
    : "Re-run this step with the same list";
  return stage === "models-hold-users" && !inputs.retrain
    ? `${again} and retrain: true (with wait: true) to train the models without the users`
    : `${again} to carry on`;
}

function resumeCommand(inputs: ActionInputs, arn: string): string {
  return `npx personalize-data-deletion wait ${arn} --region ${inputs.region}${endpoint(inputs)}`;
}

// The endpoints the step used, so that a printed command reaches the same services (S3 follows
// endpoint-url when s3-endpoint-url is not given, as in the step).
const endpoint = (inputs: ActionInputs) => {
  const s3 = inputs.s3EndpointUrl ?? inputs.endpointUrl;
  return `${inputs.endpointUrl ? ` --endpoint-url ${inputs.endpointUrl}` : ""}${s3 ? ` --s3-endpoint-url ${s3}` : ""}`;
};

function isExpiredToken(error: unknown): boolean {
  if (!(error instanceof ServiceError)) return false;
  return (
    /ExpiredToken|RequestExpired/.test(error.name) ||
    /security token .* expired|token has expired/i.test(error.message)
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

// The input a library ValidationError is about, in the action's own name.
function inputOf(error: unknown, inputs: ActionInputs): string | undefined {
  if (!(error instanceof ValidationError)) return undefined;
  const path = error.issues[0]?.path;
  return path === undefined ? undefined : lookup(fieldNames(inputs), path)?.name.replace(/^input /, "");
}

function explain(error: unknown, inputs: ActionInputs, arn: string | undefined): string {
  if (error instanceof WaiterTimeoutError) {
    return `${error.message}: a deletion job can take up to a day, longer than a job step may run. ${carryOn(inputs)}, or check it with: ${resumeCommand(inputs, error.dataDeletionJobArn)}`;
  }
  if (error instanceof ErasureWaitTimeoutError) {
    return `${error.message}. ${carryOn(inputs)}; see where it stands with: ${statusCommand(inputs)}`;
  }
  if (error instanceof DatasetGroupBusyError)
    return `${error.message}. Run again once they are done, or set if-busy: wait`;
  if (error instanceof RoomTimeoutError) {
    return `${error.message}. ${carryOn(inputs)}: the parts created so far are adopted and the rest follow.`;
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
