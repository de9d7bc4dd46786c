import { DataDeletionClient } from "../deletion/client.ts";
import { type ErasureApi, erasureApi } from "./api.ts";
import type { ErasureContext } from "./context.ts";
import {
  type ContinueErasureInput,
  type ContinueErasureOutput,
  continueErasure,
  type EraseUsersInput,
  type EraseUsersOutput,
  type ErasureStatusInput,
  eraseUsers,
  erasureStatus,
} from "./run.ts";
import type { ErasureReceipt } from "./types.ts";

/**
 * {@link DataDeletionClient} with the complete erasure: preflight, deletion, interference check and repeat,
 * cleanup of every version of the uploaded file, the opt-in retrain and campaign moves, and a receipt. Its own
 * class, so a bundle that only deletes never carries the erasure's operations.
 */
export class ErasureClient extends DataDeletionClient {
  /** @internal The erasure's Personalize operations. */
  get api(): ErasureApi {
    return erasureApi(this.transport, this.endpoint);
  }

  /** @internal */
  get erasureContext(): ErasureContext {
    return { jobs: this, s3: this.s3, api: this.api };
  }

  /**
   * Erases users completely, or carries on an erasure started earlier under the same `jobName`, and
   * returns its receipt. See the README's "Complete erasure" for the stages and what the receipt proves.
   */
  eraseUsers(input: EraseUsersInput): Promise<EraseUsersOutput> {
    return eraseUsers(this.erasureContext, input);
  }

  /**
   * Carries on an erasure whose deletion job(s) exist, without the ids: wait, check for interference, clean
   * up the jobs' data location, retrain, and rebuild the receipt. `wait: { timeoutMs: 0 }` only looks.
   */
  continueErasure(input: ContinueErasureInput): Promise<ContinueErasureOutput> {
    return continueErasure(this.erasureContext, input);
  }

  /** Where an erasure stands, read from AWS without changing anything. */
  erasureStatus(input: ErasureStatusInput): Promise<ErasureReceipt> {
    return erasureStatus(this.erasureContext, input);
  }
}
