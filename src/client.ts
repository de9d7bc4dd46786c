import { type PreparedDeletionFile, serializeUserIds } from "./deletion-file.ts";
import { ValidationError } from "./errors.ts";
import { type CallOptions, DataDeletionJobsClient } from "./jobs-client.ts";
import { deleteObject, formatS3Uri, parseS3Uri, putObjectOnce, type S3Target } from "./s3.ts";
import { type DeleteUsersInput, type DeleteUsersOutput, runDeleteUsers } from "./split.ts";
import type { Clock } from "./waiter.ts";

/** Result of {@link DataDeletionClient.uploadUserIds}. */
export interface UploadResult {
  /** The `s3://` location to give CreateDataDeletionJob (the first file's when the list was split). */
  dataLocation: string;
  /** Every uploaded file's location, in order. */
  dataLocations: string[];
  userCount: number;
  duplicateCount: number;
  bytes: number;
}

/** Options of {@link DataDeletionClient.uploadUserIds}. */
export interface UploadOptions extends CallOptions {
  /** `s3://bucket/key.csv`, or a prefix ending in `/` under which a unique key is chosen. */
  s3Uri: string;
  /** Replace a different object already at the key (default: fail with a ConflictError). */
  overwrite?: boolean;
  /** Largest file; a longer list is split into several (default 50 MB). */
  maxFileBytes?: number;
}

/** User ids to delete: ids (array or iterable, sync or async) or a file prepared by `prepareDeletionCsv`. */
export type UsersInput = Iterable<string> | AsyncIterable<string> | PreparedDeletionFile;

function isPrepared(users: UsersInput): users is PreparedDeletionFile {
  return typeof users === "object" && users !== null && Array.isArray((users as PreparedDeletionFile).files);
}

/** Prepares ids (or passes a prepared file through) for upload. */
export async function prepareUsers(users: UsersInput, maxFileBytes?: number): Promise<PreparedDeletionFile> {
  if (isPrepared(users)) return users;
  return serializeUserIds(users, maxFileBytes === undefined ? {} : { maxFileBytes });
}

/**
 * A client for Amazon Personalize data deletion jobs: the three operations with the AWS names and shapes,
 * a paginator, a waiter (all from {@link DataDeletionJobsClient}), the S3 upload, and the whole flow
 * (prepare, upload, create, wait) in {@link DataDeletionClient.deleteUsers}.
 */
export class DataDeletionClient extends DataDeletionJobsClient {
  /** @internal Where S3 requests go. */
  get s3(): S3Target {
    return { transport: this.transport, endpoint: this.s3Endpoint };
  }

  /**
   * Prepares the ids (unless already prepared) and uploads the deletion file(s) with SHA-256-signed,
   * conditional PUTs. Re-uploading identical bytes to the same key is harmless; a different object there is
   * a ConflictError unless `overwrite`.
   */
  async uploadUserIds(users: UsersInput, options: UploadOptions): Promise<UploadResult> {
    const target = parseS3Uri(options.s3Uri);
    const prepared = await prepareUsers(users, options.maxFileBytes);
    const keys = uploadKeys(
      target.key,
      target.isPrefix,
      prepared.files.length,
      `users-${uniqueSuffix(this.clock)}`,
    );
    const dataLocations: string[] = [];
    for (const [index, file] of prepared.files.entries()) {
      const key = keys[index] as string;
      await putObjectOnce(this.s3, target.bucket, key, file, {
        overwrite: options.overwrite,
        signal: options.signal,
      });
      dataLocations.push(formatS3Uri(target.bucket, key));
    }
    return {
      dataLocation: dataLocations[0] as string,
      dataLocations,
      userCount: prepared.userCount,
      duplicateCount: prepared.duplicateCount,
      bytes: prepared.bytes,
    };
  }

  /**
   * Deletes an uploaded deletion file (`s3://bucket/key`), e.g. once its job COMPLETED: the list of ids is
   * personal data. Deleting a file that is already gone is not an error.
   */
  async deleteUploadedFile(dataLocation: string, options: CallOptions = {}): Promise<void> {
    const target = parseS3Uri(dataLocation, "dataLocation");
    if (target.isPrefix) {
      throw new ValidationError([
        {
          path: "dataLocation",
          rule: "must name one object, not a folder",
          received: JSON.stringify(dataLocation),
        },
      ]);
    }
    await deleteObject(this.s3, target.bucket, target.key, options.signal);
  }

  /**
   * The whole flow: validate, prepare, upload, create the job(s) (a list over the size cap is split into
   * several, at most as many PENDING at once as the service allows), and optionally wait; after a COMPLETED
   * job the uploaded file (personal data) is deleted unless `keepUploadedFile`.
   */
  deleteUsers(input: DeleteUsersInput): Promise<DeleteUsersOutput> {
    return runDeleteUsers(this, input);
  }
}

/** A short unique-enough suffix: UTC time to the second and 6 random base-36 characters. */
export function uniqueSuffix(clock: Pick<Clock, "now" | "random">): string {
  const time = new Date(clock.now()).toISOString().replace(/[-:]|\.\d{3}/g, "");
  const random = Math.floor(clock.random() * 36 ** 6)
    .toString(36)
    .padStart(6, "0");
  return `${time}-${random}`;
}

/** The object keys for `count` files: under a prefix `${stem}.csv` or `${stem}-part-N.csv`; a key gets `-part-N`. */
export function uploadKeys(keyOrPrefix: string, isPrefix: boolean, count: number, stem: string): string[] {
  if (isPrefix) {
    return count === 1
      ? [`${keyOrPrefix}${stem}.csv`]
      : Array.from({ length: count }, (_, i) => `${keyOrPrefix}${stem}-part-${i + 1}.csv`);
  }
  if (count === 1) return [keyOrPrefix];
  const dot = keyOrPrefix.toLowerCase().endsWith(".csv") ? keyOrPrefix.length - 4 : keyOrPrefix.length;
  const base = keyOrPrefix.slice(0, dot);
  return Array.from({ length: count }, (_, i) => `${base}-part-${i + 1}.csv`);
}
