// Tags on the emulator's Personalize resources: what a Create stored, and ListTagsForResource, TagResource
// and UntagResource over it, with the rules of the Personalize guide (personalize-managing-tags.html): at
// most 50 tags a resource, one value per key, and no key or value starting with `aws:`.
import type * as v from "valibot";
import { erasureShapes } from "../../model/erasure.ts";
import { inputSchemaFrom } from "../../model/schemas.ts";
import type { Tag } from "../state-types.ts";
import { jsonError, jsonOk } from "../wire.ts";
import { type GroupContext, notFound, type Operation } from "./common.ts";

/** The guide's limit of tags on one resource (the model allows 200 in a request). */
export const MAX_TAGS = 50;

// The three operations' request shapes, as botocore's model (personalize.service-2.json) has them; the
// shapes they reach (Arn, Tags, Tag, TagKey, TagValue) are the erasure model's.
const TAG_SHAPES = {
  ...erasureShapes,
  ListTagsForResourceRequest: {
    type: "structure",
    required: ["resourceArn"],
    members: { resourceArn: "Arn" },
  },
  TagResourceRequest: {
    type: "structure",
    required: ["resourceArn", "tags"],
    members: { resourceArn: "Arn", tags: "Tags" },
  },
  UntagResourceRequest: {
    type: "structure",
    required: ["resourceArn", "tagKeys"],
    members: { resourceArn: "Arn", tagKeys: "TagKeys" },
  },
  TagKeys: { type: "list", min: 0, max: 200, member: "TagKey" },
};

/** The input schemas of the tag operations, built from the model as the other operations' are. */
export const TAG_INPUT_SCHEMAS: Record<string, v.GenericSchema> = Object.fromEntries(
  ["ListTagsForResource", "TagResource", "UntagResource"].map((op) => [op, inputSchemaFrom(op, TAG_SHAPES)]),
);

/**
 * The guide's rules a list of tags breaks beyond the model's (an `aws:` prefix, a key twice), as an
 * InvalidInputException answer; `undefined` when it keeps them.
 */
export function tagProblem(tags: readonly Tag[] | undefined, field = "tags"): Response | undefined {
  const seen = new Set<string>();
  for (const [i, { tagKey, tagValue }] of (tags ?? []).entries()) {
    if (tagKey.toLowerCase().startsWith("aws:") || tagValue.toLowerCase().startsWith("aws:")) {
      return jsonError(
        400,
        "InvalidInputException",
        `${field}.${i + 1}: tag keys and values cannot start with aws:, which is reserved for AWS use`,
      );
    }
    if (seen.has(tagKey)) {
      return jsonError(
        400,
        "InvalidInputException",
        `${field}.${i + 1}: the tag key ${tagKey} appears more than once; a resource has one value per key`,
      );
    }
    seen.add(tagKey);
  }
  return undefined;
}

/** The answer to tags over the limit on one resource. */
export function tooManyTags(count: number): Response {
  return jsonError(
    400,
    "TooManyTagsException",
    `A resource can have at most ${MAX_TAGS} tags; this request would leave it with ${count}`,
  );
}

/** Refuses tags given to a Create (rules, then the count); `undefined` when they can be stored. */
export function createTagsProblem(tags: readonly Tag[] | undefined): Response | undefined {
  return tagProblem(tags) ?? ((tags?.length ?? 0) > MAX_TAGS ? tooManyTags(tags?.length ?? 0) : undefined);
}

/** The tag operations over the state's resources (every one but a deletion job keeps its tags by ARN). */
export function tagOperations({ state, hooks }: GroupContext): Record<string, Operation> {
  return {
    ListTagsForResource({ resourceArn }) {
      const arn = resourceArn as string;
      return state.hasResource(arn) ? jsonOk({ tags: state.tagsOf(arn) }) : notFound(arn);
    },
    TagResource(input) {
      const arn = input.resourceArn as string;
      if (!state.hasResource(arn)) return notFound(arn);
      const tags = input.tags as Tag[];
      const problem = tagProblem(tags);
      if (problem) return problem;
      // A key already there takes the new value, as the guide's one value per key requires.
      const merged = new Map(state.tagsOf(arn).map((t) => [t.tagKey, t.tagValue]));
      for (const t of tags) merged.set(t.tagKey, t.tagValue);
      if (merged.size > MAX_TAGS) return tooManyTags(merged.size);
      state.setTags(
        arn,
        [...merged].map(([tagKey, tagValue]) => ({ tagKey, tagValue })),
      );
      hooks.changed();
      return jsonOk({});
    },
    UntagResource(input) {
      const arn = input.resourceArn as string;
      if (!state.hasResource(arn)) return notFound(arn);
      const keys = input.tagKeys as string[];
      if (keys.length > MAX_TAGS) {
        return jsonError(
          400,
          "TooManyTagKeysException",
          `At most ${MAX_TAGS} tag keys can be removed at once, as a resource has at most ${MAX_TAGS} tags; got ${keys.length}`,
        );
      }
      const remove = new Set(keys);
      state.setTags(
        arn,
        state.tagsOf(arn).filter((t) => !remove.has(t.tagKey)),
      );
      hooks.changed();
      return jsonOk({});
    },
  };
}
