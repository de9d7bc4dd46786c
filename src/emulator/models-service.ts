// The emulator's side of the erasure's operations: datasets and imports, solutions and versions, campaigns,
// recommenders and batch jobs, over input validated against the same model the client reads.

import { campaignWire, importWire, seconds, versionWire } from "./models-wire.ts";
import type { EmulatorState } from "./state.ts";
import type { Tag } from "./state-types.ts";
import { createTagsProblem } from "./tags.ts";
import { jsonError, jsonOk } from "./wire.ts";

/** What the service needs from the emulator around it. */
export interface ModelsHooks {
  now(): number;
  changed(): void;
  advance(): Promise<void>;
  /** The pagination tokens of the Personalize service. */
  tokens: {
    encode(after: number, filter: string | undefined): string;
    decode(token: string, filter: string | undefined): number | undefined;
  };
}

type Input = Record<string, unknown>;

/** The erasure's operations: `(operation, validated input)` to an answer, or `undefined` for another one. */
export function modelsService(state: EmulatorState, hooks: ModelsHooks) {
  const world = state.world;
  const notFound = (arn: unknown) =>
    jsonError(400, "ResourceNotFoundException", `Could not find resource with ARN ${String(arn)}`);

  // One page of `items` (newest first), as every List operation pages.
  function page(
    name: string,
    items: { seq: number; wire: unknown }[],
    input: Input,
    filter: string | undefined,
  ) {
    let after = Number.POSITIVE_INFINITY;
    if (typeof input.nextToken === "string") {
      const decoded = hooks.tokens.decode(input.nextToken, filter);
      if (decoded === undefined)
        return jsonError(400, "InvalidNextTokenException", "The next token is invalid.");
      after = decoded;
    }
    const max = (input.maxResults as number | undefined) ?? 100;
    const matching = items.filter((i) => i.seq < after).sort((a, b) => b.seq - a.seq);
    const slice = matching.slice(0, max);
    const body: Record<string, unknown> = { [name]: slice.map((i) => i.wire) };
    const last = slice[slice.length - 1];
    if (matching.length > max && last) body.nextToken = hooks.tokens.encode(last.seq, filter);
    return jsonOk(body);
  }

  const seqOf = (arn: string, all: Map<string, unknown>) => [...all.keys()].indexOf(arn) + 1;

  const operations: Record<string, (input: Input) => Response | Promise<Response>> = {
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
      return page("datasets", items, input, input.datasetGroupArn as string | undefined);
    },
    ListDatasetImportJobs(input) {
      const items = [...world.imports.values()]
        .filter((j) => !input.datasetArn || j.datasetArn === input.datasetArn)
        .map((j) => ({ seq: j.seq, wire: importWire(j, false) }));
      return page("datasetImportJobs", items, input, input.datasetArn as string | undefined);
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
    ListSolutions(input) {
      const items = [...world.solutions.values()]
        .filter((s) => !input.datasetGroupArn || s.datasetGroupArn === input.datasetGroupArn)
        .map((s) => ({
          seq: seqOf(s.solutionArn, world.solutions),
          wire: {
            name: s.name,
            solutionArn: s.solutionArn,
            status: "ACTIVE",
            recipeArn: s.recipeArn,
            creationDateTime: seconds(s.createdAt),
            lastUpdatedDateTime: seconds(s.createdAt),
          },
        }));
      return page("solutions", items, input, input.datasetGroupArn as string | undefined);
    },
    DescribeSolution({ solutionArn }) {
      const s = world.solutions.get(solutionArn as string);
      if (!s) return notFound(solutionArn);
      const latest = [...world.versions.values()].filter((v) => v.solutionArn === s.solutionArn).pop();
      return jsonOk({
        solution: {
          name: s.name,
          solutionArn: s.solutionArn,
          recipeArn: s.recipeArn,
          datasetGroupArn: s.datasetGroupArn,
          performAutoTraining: false,
          status: "ACTIVE",
          creationDateTime: seconds(s.createdAt),
          lastUpdatedDateTime: seconds(s.createdAt),
          ...(latest && { latestSolutionVersion: versionWire(world, latest, false) }),
        },
      });
    },
    ListSolutionVersions(input) {
      // The one List whose model declares ResourceNotFoundException; the others list nothing for a parent
      // they do not know.
      if (typeof input.solutionArn === "string" && !world.solutions.has(input.solutionArn)) {
        return notFound(input.solutionArn);
      }
      const items = [...world.versions.values()]
        .filter((v) => !input.solutionArn || v.solutionArn === input.solutionArn)
        .map((v) => ({ seq: v.seq, wire: versionWire(world, v, false) }));
      return page("solutionVersions", items, input, input.solutionArn as string | undefined);
    },
    DescribeSolutionVersion({ solutionVersionArn }) {
      const v = world.versions.get(solutionVersionArn as string);
      return v ? jsonOk({ solutionVersion: versionWire(world, v, true) }) : notFound(solutionVersionArn);
    },
    CreateSolutionVersion(input) {
      const solution = world.solutions.get(input.solutionArn as string);
      if (!solution) return notFound(input.solutionArn);
      const versions = [...world.versions.values()].filter((v) => v.solutionArn === solution.solutionArn);
      if (input.name !== undefined && versions.some((v) => v.name === input.name)) {
        return jsonError(
          400,
          "ResourceAlreadyExistsException",
          `Solution version with name ${input.name} already exists`,
        );
      }
      if (versions.some((v) => /PENDING|IN_PROGRESS/.test(v.status))) {
        return jsonError(
          400,
          "ResourceInUseException",
          `Solution ${solution.solutionArn} has a solution version being created`,
        );
      }
      const tagsRefused = createTagsProblem(input.tags as Tag[] | undefined);
      if (tagsRefused) return tagsRefused;
      const mode = (input.trainingMode as string | undefined) ?? "FULL";
      if (mode === "AUTOTRAIN") {
        return jsonError(
          400,
          "InvalidInputException",
          "trainingMode AUTOTRAIN is set by automatic training, not by CreateSolutionVersion",
        );
      }
      const version = world.train(
        solution.solutionArn,
        solution.datasetGroupArn,
        mode,
        hooks.now(),
        input.name as string | undefined,
      );
      state.setTags(version.solutionVersionArn, (input.tags as Tag[] | undefined) ?? []);
      hooks.changed();
      return jsonOk({ solutionVersionArn: version.solutionVersionArn });
    },
    ListCampaigns(input) {
      const items = [...world.campaigns.values()]
        .filter((c) => !input.solutionArn || c.solutionArn === input.solutionArn)
        .map((c) => ({ seq: seqOf(c.campaignArn, world.campaigns), wire: campaignWire(c, false) }));
      return page("campaigns", items, input, input.solutionArn as string | undefined);
    },
    DescribeCampaign({ campaignArn }) {
      const c = world.campaigns.get(campaignArn as string);
      return c ? jsonOk({ campaign: campaignWire(c, true) }) : notFound(campaignArn);
    },
    UpdateCampaign(input) {
      const campaign = world.campaigns.get(input.campaignArn as string);
      if (!campaign) return notFound(input.campaignArn);
      if (campaign.update && /PENDING|IN_PROGRESS/.test(campaign.update.status)) {
        return jsonError(
          400,
          "ResourceInUseException",
          `Campaign ${campaign.campaignArn} has an update in progress`,
        );
      }
      const target = (input.solutionVersionArn as string | undefined) ?? campaign.solutionVersionArn;
      const version = world.versions.get(target);
      if (!version) return notFound(target);
      if (version.solutionArn !== campaign.solutionArn || version.status !== "ACTIVE") {
        return jsonError(
          400,
          "InvalidInputException",
          `Solution version ${target} is not an ACTIVE version of the campaign's solution`,
        );
      }
      world.updateCampaign(campaign, target, hooks.now());
      hooks.changed();
      return jsonOk({ campaignArn: campaign.campaignArn });
    },
    ListRecommenders(input) {
      return page("recommenders", [], input, input.datasetGroupArn as string | undefined);
    },
    DescribeRecommender({ recommenderArn }) {
      return notFound(recommenderArn);
    },
    ListBatchInferenceJobs(input) {
      return batchJobs("inference", "batchInferenceJobs", "batchInferenceJobArn", input);
    },
    ListBatchSegmentJobs(input) {
      return batchJobs("segment", "batchSegmentJobs", "batchSegmentJobArn", input);
    },
  };

  function batchJobs(kind: "inference" | "segment", name: string, arnKey: string, input: Input) {
    const items = [...world.batchJobs.values()]
      .filter(
        (j) =>
          j.kind === kind && (!input.solutionVersionArn || j.solutionVersionArn === input.solutionVersionArn),
      )
      .map((j) => ({
        seq: seqOf(j.arn, world.batchJobs),
        wire: {
          [arnKey]: j.arn,
          jobName: j.jobName,
          status: j.status,
          solutionVersionArn: j.solutionVersionArn,
          creationDateTime: seconds(j.createdAt),
          lastUpdatedDateTime: seconds(j.updatedAt),
        },
      }));
    return page(name, items, input, input.solutionVersionArn as string | undefined);
  }

  return {
    handles: (operation: string) => operation in operations,
    async call(operation: string, input: Input): Promise<Response> {
      return (operations[operation] as (input: Input) => Response | Promise<Response>)(input);
    },
    /** The debug view of a dataset group's models: each version's users and each campaign's version. */
    models(datasetGroupArn: string) {
      const solutions = new Set(
        [...world.solutions.values()]
          .filter((s) => s.datasetGroupArn === datasetGroupArn)
          .map((s) => s.solutionArn),
      );
      return {
        solutionVersions: [...world.versions.values()]
          .filter((v) => solutions.has(v.solutionArn))
          .map((v) => ({
            solutionVersionArn: v.solutionVersionArn,
            solutionArn: v.solutionArn,
            status: v.status,
            users: v.users,
          })),
        campaigns: [...world.campaigns.values()]
          .filter((c) => solutions.has(c.solutionArn))
          .map((c) => ({
            campaignArn: c.campaignArn,
            solutionVersionArn: c.solutionVersionArn,
            status: c.status,
          })),
      };
    },
  };
}
