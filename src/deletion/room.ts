// Room under the guide's limit of PENDING deletion jobs per dataset group: counted, awaited, and a create
// that meets the limit anyway waits and tries again.
import { type Pace, poll } from "../aws/poll.ts";
import { LimitExceededException, RoomTimeoutError, ServiceError } from "../errors.ts";
import type { CreateDataDeletionJobInput } from "../model/types.ts";
import type { DeleteUsersEvent, FlowContext } from "./context.ts";
import type { CallOptions, DataDeletionJobsClient } from "./jobs-client.ts";

/** The guide's limit of PENDING data deletion jobs per dataset group. */
export const DEFAULT_MAX_PENDING_JOBS = 5;

// A PENDING job takes minutes to hours to start: looking for room more often than this only costs calls.
const ROOM_PACE: Pace = { minDelayMs: 30_000, maxDelayMs: 300_000 };

/**
 * The data deletion jobs of a dataset group that are PENDING (the guide's limit counts these), other than
 * the job named `except` (a job's own create being retried is not in its way).
 */
export async function countPendingJobs(
  jobs: Pick<DataDeletionJobsClient, "paginateDataDeletionJobs">,
  datasetGroupArn: string,
  options: CallOptions & { except?: string } = {},
): Promise<number> {
  let pending = 0;
  for await (const job of jobs.paginateDataDeletionJobs(
    { datasetGroupArn, pageSize: 100 },
    { signal: options.signal },
  )) {
    if (job.status === "PENDING" && job.jobName !== options.except) pending++;
  }
  return pending;
}

/** Waits until fewer than `limit` jobs of the request's dataset group (other than its job) are PENDING. */
export async function awaitRoom(
  context: FlowContext,
  request: CreateDataDeletionJobInput,
  limit: number,
  options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
  onProgress?: (event: DeleteUsersEvent) => void,
): Promise<void> {
  const { datasetGroupArn, jobName } = request;
  let pending = limit;
  await poll(
    async (signal) => {
      pending = await countPendingJobs(context.jobs, datasetGroupArn, { except: jobName, signal });
      return pending < limit || undefined;
    },
    {
      ...ROOM_PACE,
      ...options,
      onLook: (elapsedMs, error, heartbeat) =>
        error || onProgress?.({ phase: "room", pending, limit, elapsedMs, heartbeat }),
      timedOut: (elapsedMs) => new RoomTimeoutError(datasetGroupArn, jobName, pending, limit, elapsedMs),
    },
    context.jobs.clock,
  );
}

/**
 * Stage 2 (after the upload, `putObjectOnce`): creates the job; when the service has less room than was counted (another creator, or a limit
 * lower than `maxPendingJobs`), waits until fewer jobs are PENDING than there are now, and tries again.
 */
export async function createWithRoom(
  context: FlowContext,
  request: CreateDataDeletionJobInput,
  options: { maxPendingJobs: number; timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
  onProgress?: (event: DeleteUsersEvent) => void,
): Promise<{ dataDeletionJobArn: string; adopted: boolean }> {
  const call = { signal: options.signal };
  for (;;) {
    try {
      const created = await context.jobs.createDataDeletionJob(request, call);
      if (!created.dataDeletionJobArn) {
        throw new ServiceError("CreateDataDeletionJob answered with no job ARN", { httpStatus: 200 });
      }
      return { dataDeletionJobArn: created.dataDeletionJobArn, adopted: created.adopted === true };
    } catch (error) {
      if (!(error instanceof LimitExceededException) || error.retryable) throw error;
      const pendingNow = await countPendingJobs(context.jobs, request.datasetGroupArn, {
        except: request.jobName,
        ...call,
      });
      const limit = Math.max(1, Math.min(options.maxPendingJobs, pendingNow));
      await awaitRoom(context, request, limit, options, onProgress);
    }
  }
}
