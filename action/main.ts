// The action: inputs → the erasure → outputs. Each step has its module: inputs.ts reads and checks the
// inputs, erase.ts makes the library's client and input, progress.ts logs the run in groups, outcome.ts
// reads what it did (from its result, or from its error's `partial`), outputs.ts and summary.ts report it,
// explain.ts turns a failure into one annotation.
import * as core from "@actions/core";
import { eraseInput, erasureClient, runContext } from "./erase.ts";
import { fail, failWith } from "./explain.ts";
import { runGuard } from "./guard.ts";
import { type ActionInputs, InputError, readInputs, SUPPRESSION_KEY_ENV } from "./inputs.ts";
import { type Outcome, outcomeOf, outcomeOfError, reportOutcome } from "./outcome.ts";
import { setOutputs } from "./outputs.ts";
import { actionLog } from "./progress.ts";
import { writeSummary } from "./summary.ts";

/** The action: validate inputs, prepare, upload, create, optionally wait; outputs and a job summary. */
export async function run(): Promise<void> {
  // Mask first: nothing below may print them, but a runner's debug log could.
  for (const name of ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", SUPPRESSION_KEY_ENV]) {
    const value = process.env[name];
    if (value) core.setSecret(value);
  }
  // A step that only checks an import source against the suppression list, before the import.
  if (core.getInput("guard-import-source").trim()) return runGuard();
  let inputs: ActionInputs;
  try {
    inputs = readInputs(
      (name) => core.getInput(name),
      process.env,
      runContext(),
      (m) => core.warning(m),
    );
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return fail(error.message, `Invalid input: ${error.input}`);
  }

  const log = actionLog();
  let outcome: Outcome = { jobs: [], counts: {} };
  try {
    const client = erasureClient(inputs, process.env);
    // Each group opens before the requests it covers, so their debug lines fall inside it.
    log.enter(inputs.users.kind === "location" ? "create" : "prepare");
    const result = await client.eraseUsers(eraseInput(inputs, log.report)).catch((error) => {
      // What was done before it failed: the jobs, the ids' figures, where the erasure stands.
      outcome = outcomeOfError(error);
      throw error;
    });
    outcome = outcomeOf(result, inputs);
    reportOutcome(outcome, inputs);
    log.end();
    setOutputs(inputs, outcome);
    await writeSummary(inputs, outcome.jobs, outcome.counts, outcome.receipt);
  } catch (error) {
    log.end();
    try {
      setOutputs(inputs, outcome);
    } catch (outputError) {
      core.warning(`could not write the outputs: ${(outputError as Error).message}`);
    }
    if (outcome.jobs.length > 0 || outcome.receipt)
      await writeSummary(inputs, outcome.jobs, outcome.counts, outcome.receipt).catch(() => {});
    failWith(error, inputs, outcome.jobs.at(-1)?.dataDeletionJobArn);
  }
}
