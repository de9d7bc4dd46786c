// Every rule that makes a job's name, and the tags that say which list a job was made from. Resuming and
// adoption depend on these staying the same for the library, the action and the Worker.
import type { Tag } from "../model/types.ts";

/** The model's longest job name (`Name`: 63 characters). */
export const JOB_NAME_MAX = 63;

/** The tag that holds the SHA-256 (hex) of the deletion file a job reads: adoption compares it. */
export const LIST_SHA256_TAG = "erasure-sha256";
/** The tag that holds how many unique ids that file holds, so a receipt can count them without the ids. */
export const LIST_COUNT_TAG = "erasure-user-count";

/** What a job name can be derived from: the prepared list's digest and size (never the ids). */
export interface ListDigest {
  /** SHA-256 (hex) of the whole prepared list (of its one file, or of its files' digests in order). */
  sha256: string;
  /** Unique ids in the list. */
  userCount: number;
}

/** The name of part `index` (1-based) of a list split over `count` jobs. */
export const partName = (stem: string, index: number, count: number): string =>
  count === 1 ? stem : `${stem}-part-${index}`;

/**
 * A job name for a list: `<prefix>-<first 16 hex digits of its SHA-256>`, the prefix cut to fit. The same
 * list gets the same name (a re-run adopts its job); a list that gained or lost an id gets a new one.
 * The room for `-part-N` and `-repeat-1` suffixes is kept.
 */
export function nameForList(prefix: string, list: Pick<ListDigest, "sha256">): string {
  const hash = `-${list.sha256.slice(0, 16)}`;
  const room = JOB_NAME_MAX - hash.length - "-part-99-repeat-1".length;
  const base =
    prefix
      .replace(/[^a-zA-Z0-9_-]+/g, "-")
      .replace(/^[^a-zA-Z0-9]+/, "")
      .slice(0, room)
      .replace(/[-_]+$/, "") || "erasure";
  return `${base}${hash}`;
}

/** The tags a job is created with to say which list it reads. */
export function listTags(sha256: string, userCount: number): Tag[] {
  return [
    { tagKey: LIST_SHA256_TAG, tagValue: sha256 },
    { tagKey: LIST_COUNT_TAG, tagValue: String(userCount) },
  ];
}

/** The list a job says it was made from, read back from its tags. */
export function listOfTags(tags: Tag[] | undefined): { sha256?: string; userCount?: number } {
  const sha256 = tags?.find((t) => t.tagKey === LIST_SHA256_TAG)?.tagValue;
  const count = tags?.find((t) => t.tagKey === LIST_COUNT_TAG)?.tagValue;
  return {
    ...(sha256 ? { sha256 } : {}),
    ...(count !== undefined && /^\d+$/.test(count) ? { userCount: Number(count) } : {}),
  };
}
