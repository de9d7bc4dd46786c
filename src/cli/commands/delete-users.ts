import { defaultErasureName, type IfBusy } from "../../erasure/index.ts";
import { DataDeletionError, parseTags, prepareDeletionCsv } from "../../index.ts";
import { fileBytes, makeClient, waitOptions } from "../client.ts";
import { EXIT } from "../exit.ts";
import {
  COMMON_FLAGS,
  type Flags,
  JOB_NAME,
  type Parsed,
  ROLE_ARN,
  required,
  text,
  UsageError,
} from "../options.ts";
import { type Output, table } from "../output.ts";
import { flowReporter } from "../progress.ts";
import { receiptSummary, sameTarget, writeReceipt } from "../receipt.ts";
import { suppressionKeyFromEnv } from "../suppression-key.ts";
import { userIdList, usersFile } from "../users.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  "users-file": { type: "string", field: "users" },
  "user-ids": { type: "string" },
  headerless: { type: "boolean", field: "headerless" },
  "trim-ids": { type: "boolean", field: "trimIds" },
  "s3-uri": { type: "string", field: ["s3Uri", "dataSource.dataLocation"] },
  "dataset-group-arn": { type: "string", field: "datasetGroupArn" },
  "role-arn": { type: "string", field: "roleArn", pattern: ROLE_ARN },
  "job-name": { type: "string", field: "jobName", pattern: JOB_NAME },
  tag: { type: "string", multiple: true, field: "tags" },
  wait: { type: "boolean" },
  "if-busy": { type: "string", field: "ifBusy" },
  "no-repeat": { type: "boolean" },
  retrain: { type: "boolean" },
  "training-mode": { type: "string", field: "retrain.trainingMode" },
  "keep-campaigns": { type: "boolean" },
  receipt: { type: "string" },
  "timeout-minutes": { type: "string" },
  "poll-interval-seconds": { type: "string" },
  "keep-uploaded-file": { type: "boolean" },
  overwrite: { type: "boolean", field: "overwrite" },
  "max-file-mb": { type: "string" },
  scan: { type: "boolean" },
  scrub: { type: "boolean" },
  location: { type: "string", multiple: true, field: "locations" },
  suppression: { type: "string", field: "suppression" },
};

/** The stage past Personalize's edge, from its flags (shared with `status`, which takes `--location`). */
export function outsideFlags(values: Parsed["values"], wait: unknown) {
  const scan = values.scan === true;
  const scrub = values.scrub === true;
  const suppression = text(values, "suppression");
  if ((scan || scrub || suppression) && !wait) {
    throw new UsageError(
      "--scan, --scrub and --suppression need --wait: they run once the deletion job COMPLETED",
    );
  }
  const locations = (values.location as string[] | undefined) ?? [];
  return {
    ...(scan && { scan }),
    ...(scrub && { scrub }),
    ...(locations.length && { locations }),
    ...(suppression !== undefined && {
      suppression,
      suppressionKey: suppressionKeyFromEnv("--suppression"),
    }),
  };
}

/** `delete-users`: the library's complete erasure, from a file or a list of ids. */
export async function run({ values }: Parsed, output: Output): Promise<number> {
  const file = text(values, "users-file");
  const inline = text(values, "user-ids");
  if (Boolean(file) === Boolean(inline))
    throw new UsageError("give exactly one of --users-file or --user-ids");
  const maxFileBytes = fileBytes(values);
  const trimIds = values["trim-ids"] === true;
  const s3Uri = required(values, "s3-uri");
  const datasetGroupArn = required(values, "dataset-group-arn");
  const roleArn = required(values, "role-arn");
  const jobName = text(values, "job-name");
  const tags = parseTags((values.tag as string[] | undefined) ?? []);
  const receiptFile = text(values, "receipt");
  const trainingMode = text(values, "training-mode");
  if (!values.retrain && (trainingMode || values["keep-campaigns"])) {
    throw new UsageError("--training-mode and --keep-campaigns go with --retrain");
  }
  const wait = values.wait ? waitOptions(values) : false;
  if (values.retrain && !wait)
    throw new UsageError("--retrain needs --wait: it starts once the deletion job COMPLETED");
  const outside = outsideFlags(values, wait);
  const client = await makeClient(values, output);
  // Read only once every flag has been checked: a large file costs nothing when a flag is wrong.
  const users = file
    ? async () =>
        prepareDeletionCsv(await usersFile(file), {
          maxFileBytes,
          headerless: values.headerless === true,
          trimIds,
        })
    : userIdList(inline as string);
  const result = await client
    .eraseUsers({
      users,
      s3Uri,
      datasetGroupArn,
      roleArn,
      jobName: jobName ?? defaultErasureName(client.clock),
      ...(tags ? { tags } : {}),
      maxFileBytes,
      trimIds,
      keepUploadedFile: values["keep-uploaded-file"] === true,
      overwrite: values.overwrite === true,
      wait,
      ...(text(values, "if-busy") ? { ifBusy: text(values, "if-busy") as IfBusy } : {}),
      repeatOnInterference: values["no-repeat"] !== true,
      ...(values.retrain
        ? {
            retrain: {
              ...(trainingMode ? { trainingMode: trainingMode as "FULL" } : {}),
              updateCampaigns: values["keep-campaigns"] !== true,
            },
          }
        : {}),
      ...outside,
      onProgress: flowReporter(output),
    })
    .catch(async (error) => {
      // The receipt is written on every path where there is something to record: the library read it.
      const receipt = error instanceof DataDeletionError ? error.partial?.receipt : undefined;
      if (receipt && receiptFile) await writeReceipt(receiptFile, receipt, output);
      throw error;
    });
  if (receiptFile) await writeReceipt(receiptFile, result.receipt, output);
  output.result(result, () =>
    [
      table(
        ["JOB", "STATUS", "RECORDS DELETED", "DATA LOCATION", "ARN"],
        result.jobs.map((j) => [
          j.jobName,
          j.status ?? "PENDING",
          j.numDeleted,
          j.dataLocation,
          j.dataDeletionJobArn,
        ]),
      ),
      "",
      receiptSummary(result.receipt, values.retrain === true, sameTarget(values)),
    ].join("\n"),
  );
  return EXIT.ok;
}
