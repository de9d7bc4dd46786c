import { stat } from "node:fs/promises";
import { scanCsv } from "../../outside/csv-rows.ts";
import { UnreadableError } from "../../outside/errors.ts";
import type { IdSet } from "../../outside/ids.ts";
import { inspectLocation } from "../../outside/inspect.ts";
import { scanJsonl } from "../../outside/jsonl-rows.ts";
import { EXIT } from "../exit.ts";
import { COMMON_FLAGS, type Flags, type Parsed, UsageError } from "../options.ts";
import { type Output, plural, table } from "../output.ts";
import {
  erasedIds,
  type Format,
  fileStream,
  formatFlag,
  formatOf,
  fromReport,
  isS3,
  type LocationScan,
  s3Target,
  tableRows,
  USERS_FLAGS,
} from "../outside.ts";

export const flags: Flags = {
  ...COMMON_FLAGS,
  ...USERS_FLAGS,
  location: { type: "string", multiple: true },
  format: { type: "string" },
};

/**
 * `scan`: counts, in local files and S3 locations (every version of every object a key, folder or prefix
 * names), the rows of the erased users. Reads only; writes nothing.
 */
export async function run({ values }: Parsed, output: Output): Promise<number> {
  const locations = ((values.location as string[] | undefined) ?? []).map((l) => l.trim());
  if (locations.length === 0)
    throw new UsageError("give at least one --location (a local file or an s3:// location)");
  const format = formatFlag(values);
  const { ids, users } = await erasedIds(values);
  // Only an S3 location needs credentials and a region: a local scan runs without them.
  const s3 = locations.some(isS3) ? await s3Target(values, output) : undefined;
  const results: LocationScan[] = [];
  for (const location of locations) {
    if (s3 && isS3(location)) {
      const report = await inspectLocation(
        s3,
        { kind: "given", location, ...(format ? { format } : {}) },
        ids,
        {
          onObject: (o) =>
            output.progress(`${location}: read ${o.key}`, `${location} ${o.key} ${o.versionId ?? ""}`),
        },
      );
      results.push(fromReport(report));
    } else {
      results.push(await scanOne(location, format ?? formatOf(location), ids));
    }
    output.progress(
      `scanned ${results.length} of ${plural(locations.length, "location")}`,
      String(results.length),
    );
  }
  output.done();
  const report = {
    users,
    locations: results,
    holdsUsers: results.some((r) => r.state === "holds-users"),
    unreadable: results.filter((r) => r.state === "unreadable").length,
  };
  output.result(report, () =>
    [
      table(["LOCATION", "FORMAT", "BYTES", "ROWS", "MATCHING ROWS", "STATE"], results.flatMap(tableRows)),
      "",
      report.holdsUsers
        ? "some locations hold erased users: 'personalize-data-deletion scrub' removes them (a local file: into a copy; S3: in place)"
        : `no location holds any of the ${plural(users, "erased user")}${report.unreadable ? ` (${report.unreadable} unreadable)` : ""}`,
    ].join("\n"),
  );
  return EXIT.ok;
}

async function scanOne(location: string, format: Format | undefined, ids: IdSet): Promise<LocationScan> {
  const base = { location, format: format ?? null, bytes: 0, rows: 0, matchingRows: 0 };
  let bytes = 0;
  try {
    bytes = (await stat(location)).size;
    if (!format) {
      return {
        ...base,
        bytes,
        state: "unreadable",
        why: "unknown format: the name ends in none of .csv, .jsonl, .json, .out (give --format csv or jsonl)",
      };
    }
    const { stream } = await fileStream(location, false);
    const count = format === "csv" ? await scanCsv(stream, ids) : await scanJsonl(stream, ids);
    return {
      ...base,
      bytes,
      rows: count.rows,
      matchingRows: count.matching,
      state: count.matching > 0 ? "holds-users" : "clean",
    };
  } catch (error) {
    // The engine's reasons name a rule and a line number, never a row's content; a file system error names
    // the path the user gave.
    const why =
      error instanceof UnreadableError ? error.message : `cannot read it: ${(error as Error).message}`;
    return { ...base, bytes, state: "unreadable", why };
  }
}
