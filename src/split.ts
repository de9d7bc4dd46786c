import type { DataDeletionClient, UsersInput } from "./client.ts";
import { prepareUsers, uniqueSuffix, uploadKeys } from "./client.ts";
import {
  DataDeletionError,
  DataDeletionJobFailedError,
  LimitExceededException,
  WaiterTimeoutError,
} from "./errors.ts";
import { deleteObject, formatS3Uri, parseS3Uri, putObjectOnce } from "./s3.ts";
import { CreateDataDeletionJobInputSchema, validate } from "./schemas.ts";
import type { DataDeletionJob, Tag } from "./types.ts";
import { type PollEvent, pollJob, type WaitOptions } from "./waiter.ts";

/** Input of `deleteUsers`. */
export interface DeleteUsersInput {
  /** The ids (array or iterable) or a file prepared by `prepareDeletionCsv`. */
  users: UsersInput;
  /** `s3://bucket/prefix/` (a key named after the job is chosen) or `s3://bucket/key.csv`. */
  s3Uri: string;
  datasetGroupArn: string;
  /** The Personalize service role that can read the bucket. */
  roleArn: string;
  /** Default `delete-users-<time>-<random>`; parts of a split list get `-part-N`. */
  jobName?: string;
  tags?: Tag[];
  /** Wait for the job(s) to finish: `true` or the waiter's options. */
  wait?: boolean | WaitOptions;
  /** Keep the uploaded CSV (personal data) after a COMPLETED job (default: delete it). */
  keepUploadedFile?: boolean;
  /** Replace a different object already at the upload key. */
  overwrite?: boolean;
  /** Size cap of one deletion file (default 50 MB, the guide's cap per job). */
  maxFileBytes?: number;
  /** PENDING jobs allowed per dataset group (default 5, the service's limit). */
  maxPendingJobs?: number;
  /** Throw DataDeletionJobFailedError when a waited job FAILED (default `true`). */
  failOnJobFailure?: boolean;
  signal?: AbortSignal;
  /** Progress of each phase, for logs and progress bars. */
  onProgress?: (event: DeleteUsersEvent) => void;
}

/** A step of `deleteUsers`. */
export type DeleteUsersEvent =
  | { phase: "prepare"; userCount: number; duplicateCount: number; bytes: number; files: number }
  | { phase: "room"; pending: number; limit: number }
  | { phase: "upload"; dataLocation: string; bytes: number; created: boolean }
  | { phase: "create"; jobName: string; dataDeletionJobArn: string; adopted: boolean }
  | ({ phase: "wait"; jobName: string } & PollEvent)
  | { phase: "cleanup"; dataLocation: string };

/** One job made (or adopted) by `deleteUsers`. */
export interface DeletionJobResult {
  jobName: string;
  dataDeletionJobArn: string;
  dataLocation: string;
  /** True when the job already existed with the same dataset group and file (a re-run). */
  adopted: boolean;
  /** Known once waited for. */
  status?: string | undefined;
  numDeleted?: number | undefined;
  failureReason?: string | undefined;
  /** Whether the uploaded CSV was deleted after the job COMPLETED. */
  uploadedFileDeleted: boolean;
  job?: DataDeletionJob;
}

/** Output of `deleteUsers`. */
export interface DeleteUsersOutput {
  jobs: DeletionJobResult[];
  userCount: number;
  duplicateCount: number;
  bytes: number;
}

/** @internal The flow behind `DataDeletionClient.deleteUsers`. */
export async function runDeleteUsers(
  client: DataDeletionClient,
  input: DeleteUsersInput,
): Promise<DeleteUsersOutput> {
  const target = parseS3Uri(input.s3Uri);
  const jobName = input.jobName ?? `delete-users-${uniqueSuffix(client.clock).replace("T", "-")}`;
  const request = (name: string, key: string) => ({
    jobName: name,
    datasetGroupArn: input.datasetGroupArn,
    roleArn: input.roleArn,
    dataSource: { dataLocation: formatS3Uri(target.bucket, key) },
    ...(input.tags ? { tags: input.tags } : {}),
  });
  validate(
    CreateDataDeletionJobInputSchema,
    request(jobName, uploadKeys(target.key, target.isPrefix, 1, jobName)[0] as string),
    "deleteUsers",
  );
  const maxPending = input.maxPendingJobs ?? 5;
  const waitOptions: WaitOptions = typeof input.wait === "object" ? input.wait : {};
  const signal = input.signal ?? waitOptions.signal;
  const callOptions = { signal };

  const prepared = await prepareUsers(input.users, input.maxFileBytes);
  const count = prepared.files.length;
  input.onProgress?.({
    phase: "prepare",
    userCount: prepared.userCount,
    duplicateCount: prepared.duplicateCount,
    bytes: prepared.bytes,
    files: count,
  });
  const keys = uploadKeys(target.key, target.isPrefix, count, jobName);
  const names = count === 1 ? [jobName] : keys.map((_, i) => `${jobName}-part-${i + 1}`);
  // Every part's request is checked before the first upload, so a too-long part name fails early.
  const requests = names.map((name, i) =>
    validate(CreateDataDeletionJobInputSchema, request(name, keys[i] as string), "deleteUsers"),
  );

  const jobs: DeletionJobResult[] = [];
  for (const [i, req] of requests.entries()) {
    if (count > 1) await waitForRoom(client, input, req.jobName, maxPending, waitOptions, signal);
    const body = prepared.files[i] as Uint8Array;
    const upload = await putObjectOnce(client.s3, target.bucket, keys[i] as string, body, {
      overwrite: input.overwrite,
      signal,
    });
    input.onProgress?.({
      phase: "upload",
      dataLocation: req.dataSource.dataLocation,
      bytes: body.length,
      created: upload.created,
    });
    let created: { dataDeletionJobArn?: string; adopted?: boolean };
    for (;;) {
      try {
        created = await client.createDataDeletionJob(req, callOptions);
        break;
      } catch (error) {
        // The service has less room than we counted (another creator, or a lower limit than maxPendingJobs):
        // wait until fewer jobs are PENDING than there are now.
        if (!(error instanceof LimitExceededException) || error.retryable) throw error;
        const pendingNow = await countPending(client, input.datasetGroupArn, req.jobName, signal);
        await waitForRoom(
          client,
          input,
          req.jobName,
          Math.max(1, Math.min(maxPending, pendingNow)),
          waitOptions,
          signal,
        );
      }
    }
    const arn = created.dataDeletionJobArn as string;
    input.onProgress?.({
      phase: "create",
      jobName: req.jobName,
      dataDeletionJobArn: arn,
      adopted: created.adopted === true,
    });
    jobs.push({
      jobName: req.jobName,
      dataDeletionJobArn: arn,
      dataLocation: req.dataSource.dataLocation,
      adopted: created.adopted === true,
      uploadedFileDeleted: false,
    });
  }

  if (input.wait) {
    for (const [i, result] of jobs.entries()) {
      let job: DataDeletionJob;
      try {
        job = await pollJob(
          result.dataDeletionJobArn,
          async (s) =>
            (
              await client.describeDataDeletionJob(
                { dataDeletionJobArn: result.dataDeletionJobArn },
                { signal: s },
              )
            ).dataDeletionJob,
          {
            ...waitOptions,
            signal,
            onPoll: (event) => {
              waitOptions.onPoll?.(event);
              input.onProgress?.({ phase: "wait", jobName: result.jobName, ...event });
            },
          },
          client.clock,
        );
      } catch (error) {
        if (!(error instanceof DataDeletionJobFailedError)) throw error;
        job = error.job as DataDeletionJob;
        client.logger?.warn?.(
          `${result.jobName} FAILED; its input is kept at ${result.dataLocation} so it can be retried`,
        );
      }
      Object.assign(result, {
        status: job.status,
        numDeleted: job.numDeleted,
        failureReason: job.failureReason,
        job,
      });
      if (job.status === "COMPLETED" && !input.keepUploadedFile) {
        await deleteObject(client.s3, target.bucket, keys[i] as string, signal);
        result.uploadedFileDeleted = true;
        input.onProgress?.({ phase: "cleanup", dataLocation: result.dataLocation });
      }
    }
    const failed = jobs.find((j) => j.status === "FAILED");
    if (failed && input.failOnJobFailure !== false) {
      throw new DataDeletionJobFailedError(
        { ...(failed.job as DataDeletionJob), dataDeletionJobArn: failed.dataDeletionJobArn },
        { jobs, keptAt: failed.dataLocation },
      );
    }
  }
  return {
    jobs,
    userCount: prepared.userCount,
    duplicateCount: prepared.duplicateCount,
    bytes: prepared.bytes,
  };
}

async function countPending(
  client: DataDeletionClient,
  datasetGroupArn: string,
  except: string,
  signal?: AbortSignal,
) {
  let pending = 0;
  for await (const job of client.paginateDataDeletionJobs({ datasetGroupArn, pageSize: 100 }, { signal })) {
    if (job.status === "PENDING" && job.jobName !== except) pending++;
  }
  return pending;
}

async function waitForRoom(
  client: DataDeletionClient,
  input: DeleteUsersInput,
  jobName: string,
  limit: number,
  waitOptions: WaitOptions,
  signal: AbortSignal | undefined,
): Promise<void> {
  const started = client.clock.now();
  const timeoutMs = waitOptions.timeoutMs ?? 24 * 60 * 60 * 1000;
  let delay = Math.max(waitOptions.minDelayMs ?? 30_000, 1);
  const maxDelay = Math.max(delay, waitOptions.maxDelayMs ?? 300_000);
  for (;;) {
    let pending: number;
    try {
      pending = await countPending(client, input.datasetGroupArn, jobName, signal);
    } catch (error) {
      if (!(error instanceof DataDeletionError && error.retryable)) throw error;
      pending = limit;
    }
    input.onProgress?.({ phase: "room", pending, limit });
    if (pending < limit) return;
    const elapsed = client.clock.now() - started;
    if (elapsed >= timeoutMs) {
      throw new WaiterTimeoutError(
        `${input.datasetGroupArn} (room for ${jobName})`,
        `${pending} PENDING`,
        elapsed,
      );
    }
    await client.clock.sleep(Math.min(delay, timeoutMs - elapsed), signal);
    delay = Math.min(maxDelay, delay * 2);
  }
}
