import { parseTags, prepareDeletionCsv } from "../../index.ts";
import { makeClient, waitOptions } from "../client.ts";
import { EXIT } from "../exit.ts";
import { COMMON_FLAGS, type Flags, numeric, type Parsed, required, text, UsageError } from "../options.ts";
import { type Output, table } from "../output.ts";
import { flowReporter } from "../progress.ts";
import { userIdList, usersFile } from "../users.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  "users-file": { type: "string" },
  "user-ids": { type: "string" },
  headerless: { type: "boolean" },
  "s3-uri": { type: "string" },
  "dataset-group-arn": { type: "string" },
  "role-arn": { type: "string" },
  "job-name": { type: "string" },
  tag: { type: "string", multiple: true },
  wait: { type: "boolean" },
  "timeout-minutes": { type: "string" },
  "poll-interval-seconds": { type: "string" },
  "keep-uploaded-file": { type: "boolean" },
  overwrite: { type: "boolean" },
  "max-file-mb": { type: "string" },
};

/** `delete-users`: the library's whole flow, from a file or a list of ids. */
export async function run({ values }: Parsed, output: Output): Promise<number> {
  const file = text(values, "users-file");
  const inline = text(values, "user-ids");
  if (Boolean(file) === Boolean(inline))
    throw new UsageError("give exactly one of --users-file or --user-ids");
  const maxFileBytes = Math.round(numeric(values, "max-file-mb", { fallback: 50, min: 0.001 }) * 1024 * 1024);
  const s3Uri = required(values, "s3-uri");
  const datasetGroupArn = required(values, "dataset-group-arn");
  const roleArn = required(values, "role-arn");
  const jobName = text(values, "job-name");
  const tags = parseTags((values.tag as string[] | undefined) ?? [], "--tag");
  const wait = values.wait ? waitOptions(values) : false;
  const client = makeClient(values, output);
  const users = file
    ? await prepareDeletionCsv(await usersFile(file), {
        maxFileBytes,
        headerless: values.headerless === true,
      })
    : userIdList(inline as string);
  const result = await client.deleteUsers({
    users,
    s3Uri,
    datasetGroupArn,
    roleArn,
    ...(jobName ? { jobName } : {}),
    ...(tags ? { tags } : {}),
    maxFileBytes,
    keepUploadedFile: values["keep-uploaded-file"] === true,
    overwrite: values.overwrite === true,
    wait,
    onProgress: flowReporter(output),
  });
  output.result(result, () =>
    table(
      ["JOB", "STATUS", "USERS DELETED", "DATA LOCATION", "ARN"],
      result.jobs.map((j) => [
        j.jobName,
        j.status ?? "PENDING",
        j.numDeleted,
        j.dataLocation,
        j.dataDeletionJobArn,
      ]),
    ),
  );
  return EXIT.ok;
}
