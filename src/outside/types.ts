// The shapes of the erasure past Personalize's edge (issue #23): where the users' data lives outside
// Personalize, and what a scan or a scrub found there. Counts, keys and version ids only: never an id.

/** How a location came to be known: from which AWS record, or given by the caller. */
export type LocationKind =
  | "dataset-import"
  | "batch-inference-input"
  | "batch-inference-output"
  | "batch-segment-output"
  | "dataset-export"
  | "given";

/** The row formats the scan reads: CSV with a `USER_ID` header, or Personalize's batch JSON lines. */
export type RowFormat = "csv" | "jsonl";

/** A place that holds or held the users' data: an S3 object, an S3 prefix (every object under it) or a local path. */
export interface OutsideLocation {
  kind: LocationKind;
  /** `s3://bucket/key`, `s3://bucket/prefix/` (a folder), `s3://bucket/prefix` (S3's prefix) or a local path. */
  location: string;
  /** The job whose record names it (import, batch or export job). */
  jobArn?: string;
  /** The format its objects are read as; by the key's extension when absent (`.csv`; `.json`, `.jsonl`, `.out`). */
  format?: RowFormat;
  /** A dataset import's mode: a FULL re-import from this source replaces the dataset with what it holds. */
  importMode?: string;
  /** ISO 8601: when the job that names it was created. */
  createdAt?: string;
}

/** What is known of one location: `not-scanned` (discovered only), then what the scan (and scrub) found. */
export type LocationState = "not-scanned" | "clean" | "holds-users" | "scrubbed" | "unreadable";

/** One object version a scan read (the current one, or a noncurrent one of a versioned bucket). */
export interface ObjectReport {
  key: string;
  /** Absent on an unversioned bucket (or a local file). */
  versionId?: string;
  /** A noncurrent version (an older version of the key on a versioned bucket). */
  noncurrent: boolean;
  bytes: number;
  /** Data rows (CSV rows without the header; JSON lines). */
  rows: number;
  /** Rows that refer to an erased user (for segment outputs: lines whose `recommendedUsers` hold one). */
  matching: number;
  /** `recommendedUsers` entries of erased users (segment outputs only). */
  matchingEntries?: number;
  state: "clean" | "holds-users" | "scrubbed" | "unreadable";
  /** Why it is unreadable, in words (AccessDenied, KMS, unknown format, no USER_ID header...). Never an id. */
  reason?: string;
  /** The version the scrub wrote (the object's current version now, without the erased users). */
  scrubbedVersionId?: string;
  /** Noncurrent versions deleted because they held erased users (by version id). */
  versionsDeleted?: string[];
}

/** A location with what the scan found in it. */
export interface LocationReport extends OutsideLocation {
  state: LocationState;
  /** Why the location as a whole could not be read (AccessDenied on the listing...). */
  reason?: string;
  objects: ObjectReport[];
}

/** The erased users, matched exactly: the erased ids ({@link IdSet}) or a suppression list's keyed hashes. */
export interface UserMatcher {
  /** Whether the UTF-8 bytes `bytes[start, end)` are an erased user's id, byte for byte. */
  hasBytes(bytes: Uint8Array, start: number, end: number): boolean;
  /** Whether `id` is an erased user's id, exactly as given. */
  has(id: string): boolean;
}
