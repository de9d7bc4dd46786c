// The Personalize side of the emulator: each request's operation (from X-Amz-Target) is validated against
// its request shape in the model, then routed to its operation group under personalize/ (deletion jobs,
// datasets and imports, solutions and versions, campaigns, recommenders, batch jobs, dataset exports and schemas, tags).
import * as v from "valibot";
import { emulatorOnlyShapes, erasureOperations, erasureShapes } from "../model/erasure.ts";
import { inputSchema, inputSchemaFrom } from "../model/schemas.ts";
import type { ServiceHooks } from "./hooks.ts";
import { batchOperations } from "./personalize/batch.ts";
import { campaignOperations } from "./personalize/campaigns.ts";
import type { GroupContext, Input, Operation } from "./personalize/common.ts";
import { datasetOperations } from "./personalize/datasets.ts";
import { deletionJobOperations } from "./personalize/deletion-jobs.ts";
import { exportOperations } from "./personalize/exports.ts";
import { tokenCodec } from "./personalize/paging.ts";
import { recommenderOperations } from "./personalize/recommenders.ts";
import { solutionOperations } from "./personalize/solutions.ts";
import { TAG_INPUT_SCHEMAS, tagOperations } from "./personalize/tags.ts";
import type { EmulatorState } from "./state.ts";
import { jsonError, validationMessage } from "./wire.ts";

/** Every operation the emulator serves, with the schema its input is validated against. */
export const INPUT_SCHEMAS: Record<string, v.GenericSchema> = {
  CreateDataDeletionJob: inputSchema("CreateDataDeletionJobRequest", false),
  DescribeDataDeletionJob: inputSchema("DescribeDataDeletionJobRequest", false),
  ListDataDeletionJobs: inputSchema("ListDataDeletionJobsRequest", false),
  ...Object.fromEntries(
    Object.keys(erasureOperations).map((op) => [
      op,
      inputSchemaFrom(op, { ...erasureShapes, ...emulatorOnlyShapes }),
    ]),
  ),
  ...TAG_INPUT_SCHEMAS,
};

/** The Personalize operations by name, over `state`. */
export function personalizeOperations(state: EmulatorState, hooks: ServiceHooks) {
  const context: GroupContext = { state, hooks, tokens: tokenCodec() };
  // What the erasure reads and starts beside the deletion jobs: with no training or update time, what one
  // of these started is done at once, as a job with no job time is.
  const models: Record<string, Operation> = {
    ...datasetOperations(context),
    ...solutionOperations(context),
    ...campaignOperations(context),
    ...recommenderOperations(context),
    ...batchOperations(context),
    ...exportOperations(context),
  };
  const operations: Record<string, Operation> = {
    ...deletionJobOperations(context),
    ...tagOperations(context),
    ...models,
  };
  return { operations, advancesAfter: (operation: string) => operation in models };
}

/** The Personalize operations: `(X-Amz-Target, parsed JSON body)` to an answer. */
export function personalizeService(state: EmulatorState, hooks: ServiceHooks) {
  const { operations, advancesAfter } = personalizeOperations(state, hooks);
  return async (target: string, input: Input): Promise<Response> => {
    const operation = target.replace(/^AmazonPersonalize\./, "");
    // Own names only: `toString` is on every object, and no operation.
    const schema = Object.hasOwn(INPUT_SCHEMAS, operation) ? INPUT_SCHEMAS[operation] : undefined;
    const call = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    if (!target.startsWith("AmazonPersonalize.") || !schema || !call) {
      return jsonError(400, "UnknownOperationException", `Unknown operation ${target}`);
    }
    const parsed = v.safeParse(schema, input, { abortPipeEarly: true });
    if (!parsed.success) return jsonError(400, "InvalidInputException", validationMessage(parsed.issues));
    await hooks.advance();
    const answer = await call(parsed.output as Input);
    if (advancesAfter(operation) && answer.ok) await hooks.advance();
    return answer;
  };
}
