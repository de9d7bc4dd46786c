// Dataset groups, datasets and their imports: DescribeDatasetGroup, ListDatasets, and the import jobs
// (List, Describe, Create), whose source is read when the world's clock finishes them (import-source.ts).
import type { Tag } from "../state-types.ts";
import { jsonError, jsonOk } from "../wire.ts";
import { type GroupContext, notFound, type Operation } from "./common.ts";
import { page, seqOf } from "./paging.ts";
import { createTagsProblem } from "./tags.ts";
import { importWire, seconds } from "./wire.ts";

/** The dataset and import operations over `context`'s world. */
export function datasetOperations({ state, hooks, tokens }: GroupContext): Record<string, Operation> {
  const world = state.world;
  return {
    DescribeDatasetGroup({ datasetGroupArn }) {
      const group = world.datasetGroups.get(datasetGroupArn as string);
      if (!group || !state.datasetGroups.has(group.datasetGroupArn)) return notFound(datasetGroupArn);
      return jsonOk({
        datasetGroup: {
          name: group.name,
          datasetGroupArn: group.datasetGroupArn,
          status: "ACTIVE",
          creationDateTime: seconds(group.createdAt),
          lastUpdatedDateTime: seconds(group.createdAt),
        },
      });
    },
    ListDatasets(input) {
      const items = [...world.datasets.values()]
        .filter((d) => !input.datasetGroupArn || d.datasetGroupArn === input.datasetGroupArn)
        .map((d) => ({
          seq: seqOf(d.datasetArn, world.datasets),
          wire: {
            name: d.name,
            datasetArn: d.datasetArn,
            datasetType: d.datasetType,
            status: "ACTIVE",
            creationDateTime: seconds(d.createdAt),
            lastUpdatedDateTime: seconds(d.createdAt),
          },
        }));
      return page(tokens, "datasets", items, input, input.datasetGroupArn as string | undefined);
    },
    ListDatasetImportJobs(input) {
      const items = [...world.imports.values()]
        .filter((j) => !input.datasetArn || j.datasetArn === input.datasetArn)
        .map((j) => ({ seq: j.seq, wire: importWire(j, false) }));
      return page(tokens, "datasetImportJobs", items, input, input.datasetArn as string | undefined);
    },
    DescribeDatasetImportJob({ datasetImportJobArn }) {
      const job = world.imports.get(datasetImportJobArn as string);
      return job ? jsonOk({ datasetImportJob: importWire(job, true) }) : notFound(datasetImportJobArn);
    },
    CreateDatasetImportJob(input) {
      const dataset = world.datasets.get(input.datasetArn as string);
      if (!dataset) return notFound(input.datasetArn);
      const arn = dataset.datasetArn.replace(/:dataset\/.*$/, `:dataset-import-job/${input.jobName}`);
      if (world.imports.has(arn)) {
        return jsonError(
          400,
          "ResourceAlreadyExistsException",
          `Dataset import job ${input.jobName} already exists`,
        );
      }
      const busy = [...world.imports.values()].some(
        (j) => j.datasetArn === dataset.datasetArn && /PENDING|IN_PROGRESS/.test(j.status),
      );
      if (busy)
        return jsonError(
          400,
          "ResourceInUseException",
          `Dataset ${dataset.datasetArn} has an import in progress`,
        );
      const tagsRefused = createTagsProblem(input.tags as Tag[] | undefined);
      if (tagsRefused) return tagsRefused;
      const at = hooks.now();
      world.imports.set(arn, {
        seq: ++world.seq,
        datasetImportJobArn: arn,
        jobName: input.jobName as string,
        datasetArn: dataset.datasetArn,
        dataLocation: (input.dataSource as { dataLocation?: string } | undefined)?.dataLocation ?? "",
        ...(typeof input.roleArn === "string" && { roleArn: input.roleArn }),
        importMode: (input.importMode as string | undefined) ?? "FULL",
        status: "CREATE PENDING",
        createdAt: at,
        updatedAt: at,
      });
      state.setTags(arn, (input.tags as Tag[] | undefined) ?? []);
      hooks.changed();
      return jsonOk({ datasetImportJobArn: arn });
    },
  };
}
