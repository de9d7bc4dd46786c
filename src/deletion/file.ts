// User ids in any form (an array, an iterable, a prepared file, a function that prepares one) made into
// deletion files.
import { CsvError } from "../errors.ts";
import { DeletionFileBuilder, type PreparedDeletionFile, type PrepareOptions } from "./builder.ts";

export {
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_LIST_BYTES,
  DeletionFileBuilder,
  listTooLarge,
  type PreparedDeletionFile,
  type PrepareOptions,
} from "./builder.ts";
export { MAX_USER_ID_LENGTH, userIdProblem } from "./user-id.ts";

/**
 * Serializes user ids (an array or a sync or async iterable of strings) into deletion files, without a CSV
 * parser: ids are taken exactly as given (or trimmed, under `trimIds`), empty ones dropped, duplicates removed
 * and counted, quoted where CSV needs it. An id Personalize could not erase exactly is refused.
 */
export async function serializeUserIds(
  ids: Iterable<string> | AsyncIterable<string>,
  options: PrepareOptions = {},
): Promise<PreparedDeletionFile> {
  const builder = new DeletionFileBuilder(options);
  let index = 0;
  for await (const id of ids as AsyncIterable<string>) {
    index++;
    if (typeof id !== "string") {
      throw new CsvError(`user id number ${index} must be a string, received ${typeof id}`);
    }
    try {
      builder.add(id);
    } catch (error) {
      if (error instanceof CsvError) throw new CsvError(`user id number ${index}: ${error.message}`);
      throw error;
    }
  }
  return builder.finish();
}

/**
 * User ids to delete: ids (array or iterable, sync or async), a file prepared by `prepareDeletionCsv`, or a
 * function that prepares one, called only once every other input has been checked.
 */
export type UsersInput =
  | Iterable<string>
  | AsyncIterable<string>
  | PreparedDeletionFile
  | (() => Promise<PreparedDeletionFile>);

/** Prepares ids, or passes a file already prepared (or the one the function prepares) through. */
export async function prepareUsers(
  users: UsersInput,
  options: PrepareOptions = {},
): Promise<PreparedDeletionFile> {
  if (typeof users === "function") return users();
  if (typeof users === "object" && users !== null && Array.isArray((users as PreparedDeletionFile).files)) {
    return users as PreparedDeletionFile;
  }
  return serializeUserIds(users as Iterable<string> | AsyncIterable<string>, options);
}
