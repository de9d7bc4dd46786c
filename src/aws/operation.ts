// The one way the client calls a Personalize operation: its input validated against the model, sent over
// AWS JSON 1.1, its answer's epoch-second timestamps made Dates, typed from the generated model. The jobs
// client and the erasure both call through here, and page through `paginate`.
import { ServiceError } from "../errors.ts";
import type { PersonalizeOperation, PersonalizeOperations } from "../model/operations.ts";
import { type AnySchema, validate } from "../model/schemas.ts";
import { callPersonalize, type PersonalizeCallOptions } from "./json-protocol.ts";
import type { Transport } from "./transport.ts";

/** An operation's input, as the model has it. */
export type OperationInput<Op extends PersonalizeOperation> = PersonalizeOperations[Op]["input"];
/** An operation's output, as the model has it, timestamps as `Date`s. */
export type OperationOutput<Op extends PersonalizeOperation> = PersonalizeOperations[Op]["output"];

/** An operation that answers in pages: its input and its output carry a `nextToken`. */
export type ListOperation = {
  [Op in PersonalizeOperation]: "nextToken" extends keyof OperationInput<Op>
    ? "nextToken" extends keyof OperationOutput<Op>
      ? Op
      : never
    : never;
}[PersonalizeOperation];

/** The members of a list operation's output that hold its items (`datasets` for ListDatasets). */
export type ItemsKey<Op extends ListOperation> = {
  [K in keyof OperationOutput<Op>]-?: NonNullable<OperationOutput<Op>[K]> extends readonly unknown[]
    ? K
    : never;
}[keyof OperationOutput<Op>];

/** One item of a list operation's output under `K`. */
export type Item<Op extends ListOperation, K extends ItemsKey<Op>> =
  NonNullable<OperationOutput<Op>[K]> extends readonly (infer T)[] ? T : never;

/** Where {@link call} sends operations, and the input schema of each operation it may send. */
export interface PersonalizeService<Op extends PersonalizeOperation = PersonalizeOperation> {
  readonly transport: Transport;
  readonly endpoint: string;
  /** The operation's input schema (src/model/schemas.ts builds it on first use). */
  readonly inputSchema: (operation: Op) => AnySchema;
}

// test/model/model.test.ts holds the model to this: its timestamps are exactly the members named *DateTime.
function withDates(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withDates);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = key.endsWith("DateTime") && typeof item === "number" ? new Date(item * 1000) : withDates(item);
  }
  return out;
}

/**
 * Calls one operation: validates `input` against its schema (a {@link ValidationError} names each failing
 * member, and nothing is sent), sends it, and returns the answer with its timestamps as `Date`s. Tried as
 * often as the transport's `maxAttempts`, or as `options.maxAttempts` says.
 */
export async function call<Op extends PersonalizeOperation>(
  service: PersonalizeService<Op>,
  operation: Op,
  input: OperationInput<Op>,
  options: PersonalizeCallOptions = {},
): Promise<OperationOutput<Op>> {
  const valid = validate(service.inputSchema(operation), input, operation);
  const out = await callPersonalize(service.transport, service.endpoint, operation, valid, options);
  return withDates(out) as OperationOutput<Op>;
}

/** Every item under `key` of every page of a list operation, from the page `input.nextToken` names on. */
export async function* paginate<Op extends ListOperation, K extends ItemsKey<Op>>(
  service: PersonalizeService<Op>,
  operation: Op,
  input: OperationInput<Op>,
  key: K,
  options: PersonalizeCallOptions = {},
): AsyncGenerator<Item<Op, K>> {
  const seen = new Set<string>();
  let nextToken = (input as { nextToken?: string }).nextToken;
  do {
    const page = await call(service, operation, { ...input, nextToken } as OperationInput<Op>, options);
    yield* (page[key] ?? []) as Item<Op, K>[];
    nextToken = (page as { nextToken?: string }).nextToken;
    // A service that hands back a token it already gave would loop forever.
    if (nextToken && seen.has(nextToken)) {
      throw new ServiceError(`${operation} returned the same nextToken twice`, { httpStatus: 200 });
    }
    if (nextToken) seen.add(nextToken);
  } while (nextToken);
}

/** {@link paginate}'s items in one array. */
export async function listAll<Op extends ListOperation, K extends ItemsKey<Op>>(
  service: PersonalizeService<Op>,
  operation: Op,
  input: OperationInput<Op>,
  key: K,
  options: PersonalizeCallOptions = {},
): Promise<Item<Op, K>[]> {
  const items: Item<Op, K>[] = [];
  for await (const item of paginate(service, operation, input, key, options)) items.push(item);
  return items;
}
