import { jobArn, makeClient, waitOptions } from "../client.ts";
import { EXIT } from "../exit.ts";
import { showJob } from "../job-table.ts";
import { COMMON_FLAGS, type Flags, type Parsed } from "../options.ts";
import type { Output } from "../output.ts";
import { waitReporter } from "../progress.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  "job-arn": { type: "string" },
  "timeout-minutes": { type: "string" },
  "poll-interval-seconds": { type: "string" },
};

/** `wait`: polls one job until it ends, with its progress on stderr. */
export async function run({ values, positionals }: Parsed, output: Output): Promise<number> {
  const arn = jobArn(values, positionals);
  const options = waitOptions(values);
  const job = await makeClient(values, output).waitForDataDeletionJob(arn, {
    ...options,
    onPoll: waitReporter(output, arn.replace(/^.*\//, "")),
  });
  output.done();
  output.result(job, () => showJob(job));
  return EXIT.ok;
}
