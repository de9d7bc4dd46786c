import type { FlowContext } from "../deletion/flow.ts";
import type { DataDeletionJobsClient } from "../deletion/jobs-client.ts";
import type { ErasureApi } from "./api.ts";

/** What the erasure's stages call: the deletion flow's context, finding a job by name, and the erasure operations. */
export interface ErasureContext extends FlowContext {
  jobs: FlowContext["jobs"] &
    Pick<DataDeletionJobsClient, "findJobByName" | "findAdoptableJob" | "listTagsForResource">;
  api: ErasureApi;
}
