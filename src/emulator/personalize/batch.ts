// Batch inference and batch segment jobs: Create (on an ACTIVE solution version; the clock reads the input
// and writes the output, outside-clock.ts), Describe and List, with the members the model's BatchInferenceJob,
// BatchSegmentJob and their summaries declare.
import type { Tag } from "../state-types.ts";
import { jsonError, jsonOk } from "../wire.ts";
import { type GroupContext, type Input, notFound, type Operation } from "./common.ts";
import { page, seqOf } from "./paging.ts";
import { createTagsProblem } from "./tags.ts";
import { seconds } from "./wire.ts";
import type { WorldBatchJob } from "./world.ts";

type Kind = WorldBatchJob["kind"];
const ARN_KEY = { inference: "batchInferenceJobArn", segment: "batchSegmentJobArn" } as const;
const RESOURCE = { inference: "batch-inference-job", segment: "batch-segment-job" } as const;

/** A batch job as Describe (`full`) and List answer it. */
export function batchJobWire(job: WorldBatchJob, full: boolean): Record<string, unknown> {
  const path = (p: string | undefined) => (p === undefined ? {} : { s3DataSource: { path: p } });
  return {
    [ARN_KEY[job.kind]]: job.arn,
    jobName: job.jobName,
    status: job.status,
    solutionVersionArn: job.solutionVersionArn,
    creationDateTime: seconds(job.createdAt),
    lastUpdatedDateTime: seconds(job.updatedAt),
    ...(job.failureReason && { failureReason: job.failureReason }),
    ...(job.kind === "inference" && { batchInferenceJobMode: "BATCH_INFERENCE" }),
    ...(full && {
      ...(job.numResults !== undefined && { numResults: job.numResults }),
      ...(job.input !== undefined && { jobInput: path(job.input) }),
      ...(job.output !== undefined && { jobOutput: { s3DataDestination: { path: job.output } } }),
      ...(job.roleArn !== undefined && { roleArn: job.roleArn }),
    }),
  };
}

/** The batch inference and batch segment job operations over `context`'s world. */
export function batchOperations({ state, hooks, tokens }: GroupContext): Record<string, Operation> {
  const world = state.world;

  function create(kind: Kind, input: Input): Response {
    const version = world.versions.get(input.solutionVersionArn as string);
    if (!version) return notFound(input.solutionVersionArn);
    const arn = world.arn(`${RESOURCE[kind]}/${input.jobName}`);
    if (world.batchJobs.has(arn)) {
      return jsonError(400, "ResourceAlreadyExistsException", `Batch job ${input.jobName} already exists`);
    }
    if (version.status !== "ACTIVE") {
      return jsonError(
        400,
        "ResourceInUseException",
        `Solution version ${version.solutionVersionArn} is ${version.status}, not ACTIVE`,
      );
    }
    const tagsRefused = createTagsProblem(input.tags as Tag[] | undefined);
    if (tagsRefused) return tagsRefused;
    const source = (input.jobInput as { s3DataSource: { path: string } }).s3DataSource.path;
    const destination = (input.jobOutput as { s3DataDestination: { path: string } }).s3DataDestination.path;
    const at = hooks.now();
    world.batchJobs.set(arn, {
      arn,
      kind,
      jobName: input.jobName as string,
      solutionVersionArn: version.solutionVersionArn,
      status: "CREATE PENDING",
      createdAt: at,
      updatedAt: at,
      input: source,
      output: destination,
      roleArn: input.roleArn as string,
      ...(typeof input.numResults === "number" && { numResults: input.numResults }),
    });
    state.setTags(arn, (input.tags as Tag[] | undefined) ?? []);
    hooks.changed();
    return jsonOk({ [ARN_KEY[kind]]: arn });
  }

  function describe(kind: Kind, arn: unknown, member: string): Response {
    const job = world.batchJobs.get(arn as string);
    if (!job || job.kind !== kind) return notFound(arn);
    return jsonOk({ [member]: batchJobWire(job, true) });
  }

  function list(kind: Kind, name: string, input: Input): Response {
    const items = [...world.batchJobs.values()]
      .filter(
        (j) =>
          j.kind === kind && (!input.solutionVersionArn || j.solutionVersionArn === input.solutionVersionArn),
      )
      .map((j) => ({ seq: seqOf(j.arn, world.batchJobs), wire: batchJobWire(j, false) }));
    return page(tokens, name, items, input, input.solutionVersionArn as string | undefined);
  }

  return {
    CreateBatchInferenceJob: (input) => create("inference", input),
    DescribeBatchInferenceJob: (input) =>
      describe("inference", input.batchInferenceJobArn, "batchInferenceJob"),
    ListBatchInferenceJobs: (input) => list("inference", "batchInferenceJobs", input),
    CreateBatchSegmentJob: (input) => create("segment", input),
    DescribeBatchSegmentJob: (input) => describe("segment", input.batchSegmentJobArn, "batchSegmentJob"),
    ListBatchSegmentJobs: (input) => list("segment", "batchSegmentJobs", input),
  };
}
