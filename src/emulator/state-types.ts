// The records the emulator keeps, in a module of their own: the state holds them, and the modules that read
// and write them (S3's versions and operation groups, the Personalize input and tags) import them from here,
// so none of them imports the state that imports it.

/** A Personalize tag. */
export interface Tag {
  tagKey: string;
  tagValue: string;
}

/** A data deletion job as the emulator keeps it (times in epoch milliseconds). */
export interface EmulatorJob {
  seq: number;
  jobName: string;
  dataDeletionJobArn: string;
  datasetGroupArn: string;
  dataLocation: string;
  roleArn: string;
  tags: Tag[];
  status: "PENDING" | "IN_PROGRESS" | "COMPLETED" | "FAILED";
  createdAt: number;
  updatedAt: number;
  numDeleted?: number;
  failureReason?: string;
}

/** An object in the emulator's S3. */
export interface StoredObject {
  body: Uint8Array;
  sha256: string;
  /** The ETag without quotes: the MD5 of a plain PUT, `md5-N` of a multipart upload. */
  etag?: string;
  contentType: string;
  meta: Record<string, string>;
  lastModified: number;
  /** Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires, as sent. */
  headers?: Record<string, string>;
  /** The sizes of a multipart upload's parts, in order (GET and HEAD with `partNumber`). */
  parts?: number[];
  /** The checksum S3 keeps of the object (`x-amz-checksum-mode: ENABLED` returns it). */
  checksum?: StoredChecksum;
}

/** An object's checksum: a full-object one, or a composite of its parts' (`value` ends in `-N`). */
export interface StoredChecksum {
  /** `crc32`, `crc32c`, `crc64nvme`, `sha1` or `sha256`. */
  algorithm: string;
  value: string;
  type: "FULL_OBJECT" | "COMPOSITE";
  /** Each part's checksum, for GET and HEAD with `partNumber`. */
  parts?: string[];
}

/** One interaction row of a seeded dataset group. */
export interface InteractionRow {
  userId: string;
  itemId: string;
  timestamp: number;
}

/** A multipart upload in progress (kept in memory only: a restart drops it, as an abort would). */
export interface MultipartUpload {
  bucket: string;
  key: string;
  contentType: string;
  meta: Record<string, string>;
  headers?: Record<string, string>;
  /** The checksum the object will have, as CreateMultipartUpload asked. */
  checksum?: { algorithm: string; type: StoredChecksum["type"] };
  initiated: number;
  parts: Map<number, { body: Uint8Array; md5: string; lastModified: number; checksum?: string }>;
}

/** Where a job reads its deletion files: S3 buckets, the emulator's own or another S3-compatible server. */
export interface ObjectSource {
  /** The keys of a bucket under a prefix, sorted; `undefined` when the bucket cannot be read. */
  list(bucket: string, prefix: string): Promise<string[] | undefined>;
  /** An object's bytes; `undefined` when it is not there. */
  get(bucket: string, key: string): Promise<Uint8Array | undefined>;
}

/** Settings that shape the emulated service. */
export interface StateOptions {
  region: string;
  accountId: string;
  /** Seconds from CREATE to COMPLETED/FAILED; a third of it is spent PENDING. 0: done at the next look. */
  jobSeconds: number;
  /** PENDING jobs allowed per dataset group (the service's limit is 5). */
  pendingLimit: number;
  /** Largest input a job reads (the guide's 50 MB). */
  maxInputBytes: number;
  /** Seconds a solution version trains (0: ACTIVE at the next look). */
  trainingSeconds: number;
  /** Seconds a campaign update takes. */
  campaignSeconds: number;
}
