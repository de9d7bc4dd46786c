import { parseS3Uri, putObjectOnce, type S3Target } from "../aws/s3.ts";
import { eraseObject } from "../aws/s3-versions.ts";
import { type PrepareOptions, prepareUsers, type UsersInput } from "./file.ts";
import { type DeleteUsersInput, type DeleteUsersOutput, deleteUsers, type FlowContext } from "./flow.ts";
import { type CallOptions, DataDeletionJobsClient } from "./jobs-client.ts";
import { planParts, uniqueSuffix } from "./upload-plan.ts";

export type { UsersInput } from "./file.ts";

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
export interface UploadOptions extends CallOptions, PrepareOptions {
  /** `s3://bucket/key.csv`, or a prefix ending in `/` under which a unique key is chosen. */
  s3Uri: string;
  /** Replace a different object already at the key (default: fail with a ConflictError). */
  overwrite?: boolean;
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
    const prepared = await prepareUsers(users, options);
    const parts = planParts(target, prepared.files.length, `users-${uniqueSuffix(this.clock)}`);
    for (const [index, part] of parts.entries()) {
      await putObjectOnce(this.s3, target.bucket, part.key, prepared.files[index] as Uint8Array, options);
    }
    const dataLocations = parts.map((part) => part.dataLocation);
    return {
      dataLocation: dataLocations[0] as string,
      dataLocations,
      userCount: prepared.userCount,
      duplicateCount: prepared.duplicateCount,
      bytes: prepared.bytes,
    };
  }

  /**
   * Deletes an uploaded deletion file (`s3://bucket/key`) and every version of it, e.g. once its job
   * COMPLETED: the list of ids is personal data, and on a versioned bucket a plain DELETE only hides it
   * behind a marker. A file already gone is not an error. `listed: false` when the versions could not be
   * listed (no `s3:ListBucketVersions`): only the current object was deleted.
   */
  async deleteUploadedFile(
    dataLocation: string,
    options: CallOptions = {},
  ): Promise<{ versionsDeleted: number; listed: boolean }> {
    const target = parseS3Uri(dataLocation, "dataLocation", true);
    return eraseObject(this.s3, target.bucket, target.key, options.signal);
  }

  /**
   * The whole flow: validate, prepare, upload, create the job(s) (a list over the size cap is split into
   * several, at most as many PENDING at once as the service allows), and optionally wait; after a COMPLETED
   * job the uploaded file (personal data) is deleted unless `keepUploadedFile`.
   */
  deleteUsers(input: DeleteUsersInput): Promise<DeleteUsersOutput> {
    const context: FlowContext = { jobs: this, s3: this.s3 };
    return deleteUsers(context, input);
  }
}
