// Recommenders: what serves recommendations beside campaigns. The emulator has no recommenders (a domain
// dataset group's), so ListRecommenders lists none and DescribeRecommender knows none.
import { type GroupContext, notFound, type Operation } from "./common.ts";
import { page } from "./paging.ts";

/** The recommender operations over `context`'s world. */
export function recommenderOperations({ tokens }: GroupContext): Record<string, Operation> {
  return {
    ListRecommenders(input) {
      return page(tokens, "recommenders", [], input, input.datasetGroupArn as string | undefined);
    },
    DescribeRecommender({ recommenderArn }) {
      return notFound(recommenderArn);
    },
  };
}
