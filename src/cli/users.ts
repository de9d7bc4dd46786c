// The CLI's sources of user ids: a file (streamed), standard input, or ids on the command line.

import type { NamedCsvSource } from "../index.ts";
import { fileSource, stdinSource } from "../node/index.ts";
import { UsageError } from "./options.ts";

/** `--users-file PATH` (or `-` for standard input) as a CSV source. */
export async function usersFile(path: string, flag = "--users-file"): Promise<NamedCsvSource[]> {
  if (path === "-") return [stdinSource()];
  try {
    return [await fileSource(path)];
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${path}: ${(error as Error).message}`);
  }
}

/** `--user-ids a,b` (commas or newlines) as ids. */
export function userIdList(text: string): string[] {
  return text.split(/[\n,]/);
}
