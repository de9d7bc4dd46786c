// Recommenders and batch jobs: what serves, or once served, recommendations beside campaigns. The emulator
// has no recommenders (a domain dataset group's), so ListRecommenders lists none and DescribeRecommender
// knows none; the batch jobs are the seeded ones, listed by kind.
import { type GroupContext, notFound, type Operation } from "./common.ts";
import { page, seqOf } from "./paging.ts";
import { seconds } from "./wire.ts";

/** The recommender and batch job operations over `context`'s world. */
export function recommenderOperations({ state, tokens }: GroupContext): Record<string, Operation> {
  const world = state.world;

  function batchJobs(
    kind: "inference" | "segment",
    name: string,
    arnKey: string,
    input: Record<string, unknown>,
  ) {
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
    return page(tokens, name, items, input, input.solutionVersionArn as string | undefined);
  }

  return {
    ListRecommenders(input) {
      return page(tokens, "recommenders", [], input, input.datasetGroupArn as string | undefined);
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
}
