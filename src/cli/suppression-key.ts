// The suppression list's key at the CLI's edge: from the environment only, as a command line is visible to
// other processes (ps, shell history). The library checks its length (at least 32 bytes).
import { readEnvironment } from "../aws/env.ts";
import { UsageError } from "./options.ts";

/** The environment variable that holds the suppression list's HMAC key. */
export const SUPPRESSION_KEY_ENV = "ERASURE_SUPPRESSION_KEY";

/** The key from {@link SUPPRESSION_KEY_ENV}, or a usage error naming it and the flag that needs it. */
export function suppressionKeyFromEnv(flag: string): string {
  const key = readEnvironment()[SUPPRESSION_KEY_ENV];
  if (key === undefined || key === "") {
    throw new UsageError(
      `${flag} needs ${SUPPRESSION_KEY_ENV}: set it to the suppression list's key (at least 32 bytes); it is read from the environment only, as a command line is visible to other processes`,
    );
  }
  return key;
}
