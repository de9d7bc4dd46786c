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

/** The job of part `index` (1-based) of a list split over several jobs. */
export const partName = (stem: string, index: number): string => `${stem}-part-${index}`;

/** The one repeat job made when imports or trainings ran during a deletion job. */
export const repeatName = (jobName: string): string => `${jobName}-repeat-1`;

// What names derived from a job name may add: a split's part and its repeat job.
const DERIVED_ROOM = "-part-99".length + repeatName("").length;

/**
 * `<prefix><suffix>` in the service's pattern (letters, digits, hyphens and underscores, starting with a
 * letter or digit), the prefix cut so that the parts and repeat jobs named after it still fit in 63
 * characters; `fallback` when nothing of the prefix is left.
 */
export function fitName(prefix: string, suffix: string, fallback = "erasure"): string {
  const base =
    prefix
      .replace(/[^a-zA-Z0-9_-]+/g, "-")
      .replace(/^[^a-zA-Z0-9]+/, "")
      .slice(0, JOB_NAME_MAX - DERIVED_ROOM - suffix.length)
      .replace(/[-_]+$/, "") || fallback;
  return `${base}${suffix}`;
}

/**
 * A job name for a list: `<prefix>-<first 16 hex digits of its SHA-256>`, the prefix cut to fit. The same
 * list gets the same name (a re-run adopts its job); a list that gained or lost an id gets a new one.
 */
export const nameForList = (prefix: string, list: Pick<ListDigest, "sha256">): string =>
  fitName(prefix, `-${list.sha256.slice(0, 16)}`);

/**
 * The name of the solution version an erasure trains: `<jobName>-retrain`, or for a long job name its first
 * characters and a hash of the whole (FNV-1a, base 36), so two erasures never share one.
 */
export function retrainName(jobName: string): string {
  const plain = `${jobName}-retrain`;
  if (plain.length <= JOB_NAME_MAX) return plain;
  let h = 0x811c9dc5;
  for (const c of jobName) h = Math.imul(h ^ (c.codePointAt(0) as number), 0x01000193);
  const hash = (h >>> 0).toString(36).padStart(7, "0");
  return `${jobName.slice(0, JOB_NAME_MAX - hash.length - "--retrain".length)}-${hash}-retrain`;
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
