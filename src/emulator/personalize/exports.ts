// Dataset export jobs (Create, Describe, List; the clock writes the CSV, outside-clock.ts) and what tells a
// reader which column holds the users: DescribeDataset with its schemaArn, and DescribeSchema with the
// interactions schema in Avro JSON, as the guide's "Creating schema JSON files" shows it.
import type { Tag } from "../state-types.ts";
import { jsonError, jsonOk } from "../wire.ts";
import { type GroupContext, notFound, type Operation } from "./common.ts";
import { page, seqOf } from "./paging.ts";
import { createTagsProblem } from "./tags.ts";
import { seconds } from "./wire.ts";
import type { WorldDataset, WorldExport } from "./world.ts";

/** The interactions schema (the seeded datasets' type): the columns its rows and exports hold. */
export const INTERACTIONS_SCHEMA = JSON.stringify({
  type: "record",
  name: "Interactions",
  namespace: "com.amazonaws.personalize.schema",
  fields: [
    { name: "USER_ID", type: "string" },
    { name: "ITEM_ID", type: "string" },
    { name: "TIMESTAMP", type: "long" },
  ],
  version: "1.0",
});

// The other dataset types' schemas, as the guide's examples have them: only interactions, users and action
// interactions carry USER_ID, which is how a reader tells the datasets that hold users.
const avro = (name: string, fields: [string, string][]) =>
  JSON.stringify({
    type: "record",
    name,
    namespace: "com.amazonaws.personalize.schema",
    fields: fields.map(([field, type]) => ({ name: field, type })),
    version: "1.0",
  });
const SCHEMAS: Record<string, string> = {
  interactions: INTERACTIONS_SCHEMA,
  items: avro("Items", [
    ["ITEM_ID", "string"],
    ["CREATION_TIMESTAMP", "long"],
  ]),
  users: avro("Users", [
    ["USER_ID", "string"],
    ["MEMBERSHIP", "string"],
  ]),
  actions: avro("Actions", [["ACTION_ID", "string"]]),
  action_interactions: avro("ActionInteractions", [
    ["USER_ID", "string"],
    ["ACTION_ID", "string"],
    ["TIMESTAMP", "long"],
  ]),
};
const schemaOf = (dataset: WorldDataset) => SCHEMAS[dataset.datasetType.toLowerCase()] ?? INTERACTIONS_SCHEMA;

/** A dataset's schema ARN: one schema per dataset, named after its dataset group and its type. */
export const schemaArnOf = (dataset: WorldDataset) =>
  dataset.datasetArn.replace(
    /:dataset\/([^/]+)\/[^/]+$/,
    `:schema/$1-${dataset.datasetType.toLowerCase().replace(/_/g, "-")}`,
  );

const exportWire = (j: WorldExport, full: boolean) => ({
  datasetExportJobArn: j.datasetExportJobArn,
  jobName: j.jobName,
  status: j.status,
  creationDateTime: seconds(j.createdAt),
  lastUpdatedDateTime: seconds(j.updatedAt),
  ...(j.failureReason && { failureReason: j.failureReason }),
  ...(full && {
    datasetArn: j.datasetArn,
    ingestionMode: j.ingestionMode,
    roleArn: j.roleArn,
    jobOutput: { s3DataDestination: { path: j.output } },
  }),
});

/** The dataset export, DescribeDataset and DescribeSchema operations over `context`'s world. */
export function exportOperations({ state, hooks, tokens }: GroupContext): Record<string, Operation> {
  const world = state.world;
  return {
    DescribeDataset({ datasetArn }) {
      const d = world.datasets.get(datasetArn as string);
      if (!d) return notFound(datasetArn);
      return jsonOk({
        dataset: {
          name: d.name,
          datasetArn: d.datasetArn,
          datasetGroupArn: d.datasetGroupArn,
          datasetType: d.datasetType,
          schemaArn: schemaArnOf(d),
          status: "ACTIVE",
          creationDateTime: seconds(d.createdAt),
          lastUpdatedDateTime: seconds(d.createdAt),
        },
      });
    },
    DescribeSchema({ schemaArn }) {
      const d = [...world.datasets.values()].find((x) => schemaArnOf(x) === schemaArn);
      if (!d) return notFound(schemaArn);
      return jsonOk({
        schema: {
          name: (schemaArn as string).split("/").pop(),
          schemaArn,
          schema: schemaOf(d),
          creationDateTime: seconds(d.createdAt),
          lastUpdatedDateTime: seconds(d.createdAt),
        },
      });
    },
    CreateDatasetExportJob(input) {
      const dataset = world.datasets.get(input.datasetArn as string);
      if (!dataset) return notFound(input.datasetArn);
      const arn = world.arn(`dataset-export-job/${input.jobName}`);
      if (world.exportJobs.has(arn)) {
        return jsonError(
          400,
          "ResourceAlreadyExistsException",
          `Dataset export job ${input.jobName} already exists`,
        );
      }
      const tagsRefused = createTagsProblem(input.tags as Tag[] | undefined);
      if (tagsRefused) return tagsRefused;
      const at = hooks.now();
      world.exportJobs.set(arn, {
        datasetExportJobArn: arn,
        jobName: input.jobName as string,
        datasetArn: dataset.datasetArn,
        // The API's default: only what PutEvents, PutUsers and PutItems brought.
        ingestionMode: (input.ingestionMode as string | undefined) ?? "PUT",
        roleArn: input.roleArn as string,
        output: (input.jobOutput as { s3DataDestination: { path: string } }).s3DataDestination.path,
        status: "CREATE PENDING",
        createdAt: at,
        updatedAt: at,
      });
      state.setTags(arn, (input.tags as Tag[] | undefined) ?? []);
      hooks.changed();
      return jsonOk({ datasetExportJobArn: arn });
    },
    DescribeDatasetExportJob({ datasetExportJobArn }) {
      const job = world.exportJobs.get(datasetExportJobArn as string);
      return job ? jsonOk({ datasetExportJob: exportWire(job, true) }) : notFound(datasetExportJobArn);
    },
    ListDatasetExportJobs(input) {
      const items = [...world.exportJobs.values()]
        .filter((j) => !input.datasetArn || j.datasetArn === input.datasetArn)
        .map((j) => ({ seq: seqOf(j.datasetExportJobArn, world.exportJobs), wire: exportWire(j, false) }));
      return page(tokens, "datasetExportJobs", items, input, input.datasetArn as string | undefined);
    },
  };
}
