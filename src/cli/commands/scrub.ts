import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CsvRowReader } from "../../outside/csv-rows.ts";
import { UnreadableError } from "../../outside/errors.ts";
import type { IdSet } from "../../outside/ids.ts";
import { JsonlRowReader } from "../../outside/jsonl-rows.ts";
import { DROP, REPLACE, type RowReader, scrubTransform } from "../../outside/rows.ts";
import { EXIT } from "../exit.ts";
import { COMMON_FLAGS, type Flags, type Parsed, required, UsageError } from "../options.ts";
import { type Output, plural, table } from "../output.ts";
import {
  erasedIds,
  type Format,
  fileStream,
  formatFlag,
  formatOf,
  isS3,
  localPath,
  USERS_FLAGS,
} from "../outside.ts";
import { scrubS3 } from "./scrub-s3.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  ...USERS_FLAGS,
  location: { type: "string", multiple: true },
  output: { type: "string" },
  overwrite: { type: "boolean" },
  format: { type: "string" },
};

/**
 * `scrub`: a local file is copied without the erased users' rows, every other byte as it was; an S3
 * location is scrubbed in place (each object rewritten only while it is the version read, then the older
 * versions that held them deleted).
 */
export async function run(parsed: Parsed, output: Output): Promise<number> {
  const { values } = parsed;
  const locations = (values.location as string[] | undefined) ?? [];
  if (locations.length !== 1) {
    throw new UsageError(`give exactly one --location to scrub, received ${locations.length}`);
  }
  const input = (locations[0] as string).trim();
  if (isS3(input)) return scrubS3(input, parsed, output);
  const target = localPath(
    required(values, "output", "the path of the scrubbed copy"),
    "--output",
    "the scrubbed copy of a local file; an s3:// --location is scrubbed in place, without --output",
  );
  const format = formatFlag(values) ?? formatOf(input);
  if (!format) {
    throw new UsageError(
      `--location ${input}: unknown format (the name ends in none of .csv, .jsonl, .json, .out); give --format csv or jsonl`,
    );
  }
  const source = await stat(input).catch((error: Error) => {
    throw new UsageError(`cannot read --location ${input}: ${error.message}`);
  });
  const existing = await stat(target).catch(() => undefined);
  if (
    resolve(input) === resolve(target) ||
    (existing && existing.dev === source.dev && existing.ino === source.ino)
  ) {
    throw new UsageError(`--output must be another file than --location, received ${target} for both`);
  }
  if (existing && values.overwrite !== true) {
    throw new UsageError(`--output ${target} already exists; give --overwrite to replace it`);
  }
  const { ids, users } = await erasedIds(values);
  const counted = await scrubTo(input, target, format, ids);
  const report = {
    location: input,
    output: target,
    format,
    users,
    bytes: source.size,
    outputBytes: counted.outputBytes,
    rows: counted.rows,
    rowsRemoved: counted.removed,
    ...(format === "jsonl" ? { rowsRewritten: counted.rewritten } : {}),
  };
  output.result(report, () =>
    [
      table(
        ["FILE", "BYTES", "ROWS"],
        [
          [input, report.bytes, report.rows],
          [target, report.outputBytes, report.rows - report.rowsRemoved],
        ],
      ),
      "",
      `removed ${plural(report.rowsRemoved, "row")} of erased users` +
        (counted.rewritten > 0
          ? `; rewrote ${plural(counted.rewritten, "line")} without them in recommendedUsers`
          : ""),
    ].join("\n"),
  );
  return EXIT.ok;
}

/** Counts the verdicts of a format's reader as the scrub takes them. */
class Counting implements RowReader {
  removed = 0;
  rewritten = 0;
  constructor(private readonly inner: CsvRowReader | JsonlRowReader) {}
  get verdict(): number {
    return this.inner.verdict;
  }
  get replacement(): Uint8Array | undefined {
    return this.inner.replacement;
  }
  read(bytes: Uint8Array, start: number, final: boolean): number {
    const end = this.inner.read(bytes, start, final);
    if (end >= 0 && this.inner.verdict === DROP) this.removed++;
    if (end >= 0 && this.inner.verdict === REPLACE) this.rewritten++;
    return end;
  }
}

const WRITE_BYTES = 1 << 20;

// Written to a temporary file beside the output and renamed once whole: a failure leaves no partial output.
async function scrubTo(input: string, target: string, format: Format, ids: IdSet) {
  const inner = format === "csv" ? new CsvRowReader(ids) : new JsonlRowReader(ids);
  const reader = new Counting(inner);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.partial`);
  const { stream } = await fileStream(input, true);
  const handle = await open(temporary, "wx");
  let outputBytes = 0;
  // The scrub emits a view per run of kept rows (one between every two dropped rows): gathered into one
  // buffer and written a MiB at a time, as a write per view made the scrub several times slower.
  const buffer = new Uint8Array(WRITE_BYTES);
  let filled = 0;
  const flush = async () => {
    let at = 0;
    while (at < filled) at += (await handle.write(buffer, at, filled - at)).bytesWritten;
    filled = 0;
  };
  try {
    const scrubbed = stream.pipeThrough(scrubTransform(reader)).getReader();
    for (;;) {
      const { done, value } = await scrubbed.read();
      if (done) break;
      outputBytes += value.length;
      let at = 0;
      while (at < value.length) {
        const n = Math.min(value.length - at, WRITE_BYTES - filled);
        buffer.set(value.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === WRITE_BYTES) await flush();
      }
    }
    await flush();
    await handle.close();
    await rename(temporary, target);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temporary).catch(() => {});
    if (error instanceof UnreadableError) {
      throw new UsageError(`--location ${input} cannot be scrubbed (nothing written): ${error.message}`);
    }
    throw error;
  }
  return { rows: inner.rows, removed: reader.removed, rewritten: reader.rewritten, outputBytes };
}
