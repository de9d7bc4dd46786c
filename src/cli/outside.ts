// What `scan` and `scrub` share: the erased ids prepared as delete-users prepares them, a local file's
// format, and its bytes as a stream. S3 locations wait for the erasure's outside stage (issue #23).
import { prepareDeletionCsv } from "../index.ts";
import { fileSource } from "../node/index.ts";
import { IdSet } from "../outside/ids.ts";
import { type Flags, type Parsed, required, text, UsageError } from "./options.ts";
import { usersFile } from "./users.ts";

/** The flags both commands take to name the erased users. */
export const USERS_FLAGS: Flags = {
  "users-file": { type: "string" },
  headerless: { type: "boolean" },
  "trim-ids": { type: "boolean" },
};

export type Format = "csv" | "jsonl";

/** The erased ids of `--users-file`, prepared exactly as delete-users prepares them (same flags, same rules). */
export async function erasedIds(values: Parsed["values"]): Promise<{ ids: IdSet; users: number }> {
  const prepared = await prepareDeletionCsv(await usersFile(required(values, "users-file")), {
    headerless: values.headerless === true,
    trimIds: values["trim-ids"] === true,
  });
  return { ids: IdSet.fromDeletionFiles(prepared.files), users: prepared.userCount };
}

/** Refuses what is not a local path: an S3 location is the erasure's outside stage, not here yet. */
export function localPath(location: string, flag = "--location"): string {
  if (/^s3:\/\//i.test(location)) {
    throw new UsageError(
      `${flag} ${location}: S3 locations come with the erasure's outside stage (not yet); for now give a local file path`,
    );
  }
  return location;
}

/** `--format`, when given: csv or jsonl. */
export function formatFlag(values: Parsed["values"]): Format | undefined {
  const format = text(values, "format");
  if (format === undefined) return undefined;
  if (format !== "csv" && format !== "jsonl") {
    throw new UsageError(`--format must be csv or jsonl, received ${JSON.stringify(format)}`);
  }
  return format;
}

/** The format by the file's extension (`.csv`; `.jsonl`, `.json`, `.out` as batch jobs name them). */
export function formatOf(path: string): Format | undefined {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (extension === "csv") return "csv";
  if (extension === "jsonl" || extension === "json" || extension === "out") return "jsonl";
  return undefined;
}

/**
 * A local file as a byte stream and its size. The file source reads into one buffer again and again, so each
 * chunk is copied when `copy` (a scrub passes views of its input on, to be written later); a scan reads each
 * chunk before it asks for the next (no queue: high-water mark 0), so it needs no copy.
 */
export async function fileStream(
  path: string,
  copy: boolean,
): Promise<{ stream: ReadableStream<Uint8Array>; bytes: number }> {
  const { source, size } = await fileSource(path);
  const chunks = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(copy ? value.slice() : value);
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, bytes: size ?? 0 };
}
