import { jobArn, makeClient } from "../client.ts";
import { EXIT } from "../exit.ts";
import { showJob } from "../job-table.ts";
import { COMMON_FLAGS, type Flags, type Parsed } from "../options.ts";
import type { Output } from "../output.ts";

export const flags: Flags = { ...COMMON_FLAGS, "job-arn": { type: "string", field: "dataDeletionJobArn" } };

/** `describe`: one job. */
export async function run({ values, positionals }: Parsed, output: Output): Promise<number> {
  const arn = jobArn(values, positionals);
  const { dataDeletionJob } = await (await makeClient(values, output)).describeDataDeletionJob({
    dataDeletionJobArn: arn,
  });
  output.result(dataDeletionJob ?? {}, () => showJob(dataDeletionJob ?? {}));
  return EXIT.ok;
}
