// The data deletion jobs: CreateDataDeletionJob with the service's refusals (an unknown dataset group, a
// name taken, tags against the guide's rules, the PENDING limit), DescribeDataDeletionJob and
// ListDataDeletionJobs. The job's clock and its reading of the input are the state's.
import type { Tag } from "../state-types.ts";
import { jsonError, jsonOk } from "../wire.ts";
import { type GroupContext, notFound, type Operation } from "./common.ts";
import { page } from "./paging.ts";
import { createTagsProblem } from "./tags.ts";
import { deletionJobWire } from "./wire.ts";

interface CreateInput {
  jobName: string;
  datasetGroupArn: string;
  roleArn: string;
  dataSource: { dataLocation?: string };
  tags?: Tag[];
}

/** The three data deletion operations over `context`'s state. */
export function deletionJobOperations({ state, hooks, tokens }: GroupContext): Record<string, Operation> {
  return {
    async CreateDataDeletionJob(input) {
      const req = input as unknown as CreateInput;
      if (!state.datasetGroups.has(req.datasetGroupArn)) return notFound(req.datasetGroupArn);
      if (!req.dataSource.dataLocation) {
        return jsonError(400, "InvalidInputException", "dataSource.dataLocation is required");
      }
      const arn = state.jobArn(req.jobName);
      if (state.jobs.has(arn)) {
        return jsonError(
          400,
          "ResourceAlreadyExistsException",
          `Data deletion job with name ${req.jobName} already exists`,
        );
      }
      const tagsRefused = createTagsProblem(req.tags);
      if (tagsRefused) return tagsRefused;
      if (state.pendingCount(req.datasetGroupArn) >= state.options.pendingLimit) {
        return jsonError(
          400,
          "LimitExceededException",
          `The maximum number of PENDING data deletion jobs (${state.options.pendingLimit}) for dataset group ${req.datasetGroupArn} has been reached`,
        );
      }
      const at = hooks.now();
      state.jobs.set(arn, {
        seq: ++state.seq,
        jobName: req.jobName,
        dataDeletionJobArn: arn,
        datasetGroupArn: req.datasetGroupArn,
        dataLocation: req.dataSource.dataLocation,
        roleArn: req.roleArn,
        tags: req.tags ?? [],
        status: "PENDING",
        createdAt: at,
        updatedAt: at,
      });
      hooks.changed();
      if (state.options.jobSeconds === 0) await hooks.advance();
      return jsonOk({ dataDeletionJobArn: arn });
    },
    DescribeDataDeletionJob({ dataDeletionJobArn }) {
      const job = state.jobs.get(dataDeletionJobArn as string);
      return job ? jsonOk({ dataDeletionJob: deletionJobWire(job, true) }) : notFound(dataDeletionJobArn);
    },
    ListDataDeletionJobs(input) {
      const filter = input.datasetGroupArn as string | undefined;
      const items = [...state.jobs.values()]
        .filter((j) => !filter || j.datasetGroupArn === filter)
        .map((j) => ({ seq: j.seq, wire: deletionJobWire(j, false) }));
      return page(tokens, "dataDeletionJobs", items, input, filter);
    },
  };
}
