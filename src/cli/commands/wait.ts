import { DataDeletionJobFailedError } from "../../index.ts";
import { jobArn, makeClient, waitOptions } from "../client.ts";
import { EXIT } from "../exit.ts";
import { showJob } from "../job-table.ts";
import { COMMON_FLAGS, type Flags, type Parsed } from "../options.ts";
import type { Output } from "../output.ts";
import { waitReporter } from "../progress.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  "job-arn": { type: "string", field: "dataDeletionJobArn" },
  "timeout-minutes": { type: "string" },
  "poll-interval-seconds": { type: "string" },
};

/** `wait`: polls one job until it ends, with its progress on stderr. */
export async function run({ values, positionals }: Parsed, output: Output): Promise<number> {
  const arn = jobArn(values, positionals);
  const options = waitOptions(values);
  const report = waitReporter(output, arn.replace(/^.*\//, ""));
  const client = await makeClient(values, output);
  const job = await client
    .waitForDataDeletionJob(arn, {
      ...options,
      onPoll: (event) => {
        report(event);
        // The job as last seen, for the JSON document a timeout prints.
        if (event.job) output.partial = { job: event.job };
      },
    })
    .catch((error) => {
      if (error instanceof DataDeletionJobFailedError) output.partial = { job: error.job };
      throw error;
    });
  output.done();
  output.result(job, () => showJob(job));
  return EXIT.ok;
}
