import { parseTags } from "../../index.ts";
import { makeClient } from "../client.ts";
import { EXIT } from "../exit.ts";
import { COMMON_FLAGS, type Flags, JOB_NAME, type Parsed, ROLE_ARN, required } from "../options.ts";
import type { Output } from "../output.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  "job-name": { type: "string", field: "jobName", pattern: JOB_NAME },
  "dataset-group-arn": { type: "string", field: "datasetGroupArn" },
  "role-arn": { type: "string", field: "roleArn", pattern: ROLE_ARN },
  "data-location": { type: "string", field: "dataSource.dataLocation" },
  tag: { type: "string", multiple: true, field: "tags" },
};

/** `create`: CreateDataDeletionJob for a CSV (or folder) already in S3; a re-run adopts its job. */
export async function run({ values }: Parsed, output: Output): Promise<number> {
  const request = {
    jobName: required(values, "job-name"),
    datasetGroupArn: required(values, "dataset-group-arn"),
    roleArn: required(values, "role-arn"),
    dataSource: { dataLocation: required(values, "data-location") },
  };
  const tags = parseTags((values.tag as string[] | undefined) ?? []);
  const out = await (await makeClient(values, output)).createDataDeletionJob({
    ...request,
    ...(tags ? { tags } : {}),
  });
  output.result(
    out,
    () =>
      `${out.adopted ? "existing job (same name, dataset group and data location)" : "created"}: ${out.dataDeletionJobArn}`,
  );
  return EXIT.ok;
}
