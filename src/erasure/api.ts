// The erasure's Personalize operations, called the one way the jobs client calls its own (src/aws/operation.ts):
// each input validated against the erasure's model, every page of a list followed, timestamps made Dates,
// inputs and outputs typed from the generated model.

import {
  call,
  type Item,
  type ItemsKey,
  type ListOperation,
  listAll,
  type OperationInput,
  type OperationOutput,
  type PersonalizeService,
} from "../aws/operation.ts";
import type { SendOptions, Transport } from "../aws/transport.ts";
import { type ErasureClientOperation, erasureInputSchema } from "../model/schemas.ts";

/** An erasure operation that answers in pages. */
export type ErasureListOperation = ErasureClientOperation & ListOperation;

/** What the erasure's stages call: one operation, or every item of a list operation. */
export interface ErasureApi {
  /** One operation, tried as often as the transport's `maxAttempts`, or as `options.maxAttempts` says. */
  call<Op extends ErasureClientOperation>(
    operation: Op,
    input: OperationInput<Op>,
    signal?: AbortSignal,
    options?: SendOptions,
  ): Promise<OperationOutput<Op>>;
  /**
   * `call` with `maxAttempts: 1`, for a call that must not be repeated blindly (UpdateCampaign: a retry whose
   * first answer was lost would move the campaign again). The caller looks at the state and decides.
   */
  callOnce<Op extends ErasureClientOperation>(
    operation: Op,
    input: OperationInput<Op>,
    signal?: AbortSignal,
  ): Promise<OperationOutput<Op>>;
  /** Every item under `key` across all pages of a List operation, 100 a page. */
  list<Op extends ErasureListOperation, K extends ItemsKey<Op>>(
    operation: Op,
    input: Omit<OperationInput<Op>, "maxResults" | "nextToken">,
    key: K,
    signal?: AbortSignal,
  ): Promise<Item<Op, K>[]>;
}

/** The erasure operations of the Personalize endpoint that `transport` signs for. */
export function erasureApi(transport: Transport, endpoint: string): ErasureApi {
  const service: PersonalizeService<ErasureClientOperation> = {
    transport,
    endpoint,
    inputSchema: erasureInputSchema,
  };
  return {
    call: (operation, input, signal, options) => call(service, operation, input, { ...options, signal }),
    callOnce: (operation, input, signal) => call(service, operation, input, { signal, maxAttempts: 1 }),
    list: (operation, input, key, signal) =>
      listAll(service, operation, { ...input, maxResults: 100 } as OperationInput<typeof operation>, key, {
        signal,
      }),
  };
}
