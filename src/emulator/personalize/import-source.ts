// What a dataset import job does when it completes: it reads its `dataSource.dataLocation` (one object, or
// every `.csv` under a folder path ending in `/`) as CSV with a USER_ID,ITEM_ID,TIMESTAMP header, and FULL
// replaces the dataset's bulk rows with them while INCREMENTAL adds them (API reference, ImportMode). So a
// FULL re-import from a source that still holds users a deletion job removed brings them back, as on AWS.
// Ids are kept byte for byte (no trimming, a quoted " a" keeps its space): a scrub that misses one shows.
import Papa from "papaparse";
import type { InteractionRow, ObjectSource } from "../state-types.ts";
import { s3Location } from "./input.ts";

type Failure = { failureReason: string };

/** The columns an interactions import must have; others (EVENT_TYPE...) are not in the emulated schema. */
const REQUIRED = ["USER_ID", "ITEM_ID", "TIMESTAMP"] as const;

// The id column of the other dataset types: the emulator keeps none of their rows, but checks their files
// as far as it knows their schema, so an import into them does not touch the interactions.
const ID_COLUMNS: Record<string, string[]> = {
  Items: ["ITEM_ID"],
  Users: ["USER_ID"],
  Actions: ["ACTION_ID"],
  Action_Interactions: ["USER_ID", "ACTION_ID", "TIMESTAMP"],
};

// TIMESTAMP is a long (Unix epoch seconds) in the interactions schema.
const LONG = /^-?\d+$/;

/**
 * One import file's interaction rows, or why it cannot be imported (`where` names the object); a file of a
 * dataset of another `datasetType` is checked and yields no rows.
 */
export function parseImportCsv(
  bytes: Uint8Array,
  where: string,
  datasetType = "Interactions",
): InteractionRow[] | Failure {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { failureReason: `Input file ${where} is not valid UTF-8.` };
  }
  const parsed = Papa.parse<string[]>(text, { delimiter: ",", skipEmptyLines: true });
  const error = parsed.errors[0];
  if (error) {
    return {
      failureReason: `Input file ${where} is not a valid CSV (row ${(error.row ?? 0) + 1}): ${error.message}`,
    };
  }
  const [header = [], ...body] = parsed.data;
  // Column names are not ids: matched without case or surrounding spaces, as the seed files are.
  const names = header.map((h) => h.trim().toUpperCase());
  const interactions = datasetType === "Interactions";
  const required = interactions ? REQUIRED : (ID_COLUMNS[datasetType] ?? []);
  const missing = required.filter((name) => !names.includes(name));
  if (missing.length > 0) {
    return { failureReason: `Input CSV ${where} is missing the following columns: [${missing.join(", ")}]` };
  }
  const [u, i, t] = REQUIRED.map((name) => names.indexOf(name)) as [number, number, number];
  const rows: InteractionRow[] = [];
  for (const [n, row] of body.entries()) {
    if (row.length !== header.length) {
      return {
        failureReason: `Input file ${where}, row ${n + 2}: ${row.length} columns where the header has ${header.length}.`,
      };
    }
    if (!interactions) continue;
    const userId = row[u] as string;
    const itemId = row[i] as string;
    const timestamp = row[t] as string;
    if (userId === "" || itemId === "" || !LONG.test(timestamp)) {
      return {
        failureReason: `Input file ${where}, row ${n + 2}: USER_ID and ITEM_ID must not be empty and TIMESTAMP must be a whole number of seconds.`,
      };
    }
    rows.push({ userId, itemId, timestamp: Number(timestamp) });
  }
  return rows;
}

/** An import's rows: the object at `dataLocation`, or every `.csv` object under it when it is a folder. */
export async function readImportRows(
  source: ObjectSource,
  dataLocation: string,
  datasetType = "Interactions",
): Promise<InteractionRow[] | Failure> {
  const at = s3Location(dataLocation);
  if (!at) return { failureReason: `Invalid S3 location: ${dataLocation}` };
  const { bucket, key } = at;
  const folder = key === "" || key.endsWith("/");
  let keys = [key];
  if (folder) {
    const listed = await source.list(bucket, key);
    if (!listed) return { failureReason: `S3 bucket ${bucket} does not exist or is not accessible.` };
    keys = listed.filter((k) => k.toLowerCase().endsWith(".csv"));
    // An empty source is not an empty dataset: a FULL import of nothing would wipe the bulk data.
    if (keys.length === 0) return { failureReason: `Input file not found at ${dataLocation}` };
  }
  const rows: InteractionRow[] = [];
  for (const k of keys) {
    const body = await source.get(bucket, k);
    if (!body) return { failureReason: `Input file not found at s3://${bucket}/${k}` };
    const read = parseImportCsv(body, `s3://${bucket}/${k}`, datasetType);
    if ("failureReason" in read) return read;
    for (const row of read) rows.push(row);
  }
  return rows;
}

/**
 * The dataset group's rows after an import of `imported` in `importMode`: FULL replaces the bulk rows (every
 * row the emulator holds came in bulk: it has no PutEvents), INCREMENTAL appends.
 */
export function rowsAfterImport(
  existing: readonly InteractionRow[],
  imported: readonly InteractionRow[],
  importMode: string,
): InteractionRow[] {
  return importMode === "INCREMENTAL" ? [...existing, ...imported] : [...imported];
}
