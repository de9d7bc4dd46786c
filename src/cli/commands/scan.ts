import { stat } from "node:fs/promises";
import { scanCsv } from "../../outside/csv-rows.ts";
import { UnreadableError } from "../../outside/errors.ts";
import type { IdSet } from "../../outside/ids.ts";
import { scanJsonl } from "../../outside/jsonl-rows.ts";
import { EXIT } from "../exit.ts";
import { type Flags, type Parsed, UsageError } from "../options.ts";
import { type Output, plural, table } from "../output.ts";
import {
  erasedIds,
  type Format,
  fileStream,
  formatFlag,
  formatOf,
  localPath,
  USERS_FLAGS,
} from "../outside.ts";

export const flags: Flags = {
  ...USERS_FLAGS,
  location: { type: "string", multiple: true },
  format: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** One location's counts: never an id. */
export interface LocationScan {
  location: string;
  format: Format | null;
  bytes: number;
  rows: number;
  matchingRows: number;
  state: "clean" | "holds-users" | "unreadable";
  why?: string;
}

/** `scan`: counts, in local files, the rows of the erased users. Reads only; writes nothing. */
export async function run({ values }: Parsed, output: Output): Promise<number> {
  const locations = ((values.location as string[] | undefined) ?? []).map((l) => localPath(l.trim()));
  if (locations.length === 0) throw new UsageError("give at least one --location (a local file)");
  const format = formatFlag(values);
  const { ids, users } = await erasedIds(values);
  const results: LocationScan[] = [];
  for (const location of locations) {
    results.push(await scanOne(location, format ?? formatOf(location), ids));
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
      table(
        ["LOCATION", "FORMAT", "BYTES", "ROWS", "MATCHING ROWS", "STATE"],
        results.map((r) => [
          r.location,
          r.format ?? undefined,
          r.bytes,
          r.rows,
          r.matchingRows,
          r.why ? `${r.state}: ${r.why}` : r.state,
        ]),
      ),
      "",
      report.holdsUsers
        ? "some locations hold erased users: 'personalize-data-deletion scrub' writes a copy without them"
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
