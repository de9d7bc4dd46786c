// What every Personalize operation group of the emulator works with: the validated input, the state and
// the hooks around it, the List operations' tokens, and the answer for an ARN it does not know.
import type { ServiceHooks } from "../hooks.ts";
import type { EmulatorState } from "../state.ts";
import { jsonError } from "../wire.ts";
import type { TokenCodec } from "./paging.ts";

/** An operation's input, validated against its request shape in the model. */
export type Input = Record<string, unknown>;

/** One operation: its validated input to its answer. */
export type Operation = (input: Input) => Response | Promise<Response>;

/** What an operation group is built over. */
export interface GroupContext {
  state: EmulatorState;
  hooks: ServiceHooks;
  tokens: TokenCodec;
}

/** The answer for an ARN that names nothing the emulator has. */
export const notFound = (arn: unknown) =>
  jsonError(400, "ResourceNotFoundException", `Could not find resource with ARN ${String(arn)}`);
