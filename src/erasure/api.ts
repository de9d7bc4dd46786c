// The erasure's Personalize operations over the core's transport: each input validated against the model,
// every page of a list followed, epoch-second timestamps turned into Dates.

import { callPersonalize } from "../aws/json-protocol.ts";
import type { SendOptions, Transport } from "../aws/transport.ts";
import { ServiceError } from "../errors.ts";
import {
  type ErasureClientOperation as ClientOperation,
  erasureInputSchema,
  validate,
} from "../model/schemas.ts";

/** What the erasure's stages call: one operation, or every item of a list operation. */
export interface ErasureApi {
  /** One operation, tried as often as the transport's `maxAttempts`, or as `options.maxAttempts` says. */
  call<T>(operation: ClientOperation, input: object, signal?: AbortSignal, options?: SendOptions): Promise<T>;
  /**
   * `call` with `maxAttempts: 1`, for a call that must not be repeated blindly (UpdateCampaign: a retry whose
   * first answer was lost would move the campaign again). The caller looks at the state and decides.
   */
  callOnce<T>(operation: ClientOperation, input: object, signal?: AbortSignal): Promise<T>;
  /** Every item under `key` across all pages of a List operation. */
  list<T>(operation: ClientOperation, input: object, key: string, signal?: AbortSignal): Promise<T[]>;
}

function withDates(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withDates);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = key.endsWith("DateTime") && typeof item === "number" ? new Date(item * 1000) : withDates(item);
  }
  return out;
}

/** The erasure operations of the Personalize endpoint that `transport` signs for. */
export function erasureApi(transport: Transport, endpoint: string): ErasureApi {
  const call = async <T>(
    operation: ClientOperation,
    input: object,
    signal?: AbortSignal,
    options: SendOptions = {},
  ): Promise<T> => {
    const valid = validate(erasureInputSchema(operation), input, operation);
    const out = await callPersonalize(transport, endpoint, operation, valid, { ...options, signal });
    return withDates(out) as T;
  };
  return {
    call,
    callOnce: (operation, input, signal) => call(operation, input, signal, { maxAttempts: 1 }),
    async list<T>(operation: ClientOperation, input: object, key: string, signal?: AbortSignal) {
      const items: T[] = [];
      const seen = new Set<string>();
      let nextToken: string | undefined;
      do {
        const page = await call<Record<string, unknown>>(
          operation,
          { ...input, maxResults: 100, ...(nextToken ? { nextToken } : {}) },
          signal,
        );
        items.push(...((page[key] as T[] | undefined) ?? []));
        nextToken = page.nextToken as string | undefined;
        if (nextToken && seen.has(nextToken)) {
          throw new ServiceError(`${operation} returned the same nextToken twice`, { httpStatus: 200 });
        }
        if (nextToken) seen.add(nextToken);
      } while (nextToken);
      return items;
    },
  };
}
