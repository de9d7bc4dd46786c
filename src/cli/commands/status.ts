import { makeClient } from "../client.ts";
import { EXIT } from "../exit.ts";
import { COMMON_FLAGS, type Flags, JOB_NAME, type Parsed, required } from "../options.ts";
import type { Output } from "../output.ts";
import { receiptSummary, sameTarget, writeReceipt } from "../receipt.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  "dataset-group-arn": { type: "string", field: "datasetGroupArn" },
  "job-name": { type: "string", field: "jobName", pattern: JOB_NAME },
  retrain: { type: "boolean" },
  receipt: { type: "string" },
  location: { type: "string", multiple: true, field: "locations" },
};

/** `status`: where an erasure stands, read from AWS; nothing is changed. */
export async function run({ values }: Parsed, output: Output): Promise<number> {
  const datasetGroupArn = required(values, "dataset-group-arn");
  const jobName = required(values, "job-name");
  const client = await makeClient(values, output);
  const locations = (values.location as string[] | undefined) ?? [];
  const receipt = await client.erasureStatus({
    datasetGroupArn,
    jobName,
    retrain: values.retrain === true,
    ...(locations.length && { locations }),
  });
  const file = typeof values.receipt === "string" ? values.receipt : undefined;
  if (file) await writeReceipt(file, receipt, output);
  output.result(receipt, () => receiptSummary(receipt, values.retrain === true, sameTarget(values)));
  return EXIT.ok;
}
