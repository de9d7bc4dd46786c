// What the emulated Personalize reads: a deletion job's USER_ID file(s) from S3 and a --seed file's
// USER_ID,ITEM_ID,TIMESTAMP rows (an import's source is import-source.ts). Ids are kept exactly as the CSV
// has them (a quoted " a" keeps its space), so a deletion file that names "a" never removes " a": the
// emulator does not make ids match that would not.
import Papa from "papaparse";
import type { InteractionRow, ObjectSource } from "../state-types.ts";

type Failure = { failureReason: string };

/** Parses a USER_ID,ITEM_ID,TIMESTAMP seed file (a header row is required); ids are kept as written. */
export function parseSeed(text: string): InteractionRow[] {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ""), {
    header: true,
    skipEmptyLines: true,
    delimiter: ",",
    transformHeader: (h) => h.trim().toUpperCase(),
  });
  if (parsed.errors[0])
    throw new Error(`seed file, row ${(parsed.errors[0].row ?? 0) + 2}: ${parsed.errors[0].message}`);
  const fields = parsed.meta.fields ?? [];
  for (const name of ["USER_ID", "ITEM_ID", "TIMESTAMP"]) {
    if (!fields.includes(name))
      throw new Error(`seed file: the header must have USER_ID, ITEM_ID and TIMESTAMP (missing ${name})`);
  }
  return parsed.data.map((row, i) => {
    const timestamp = Number(row.TIMESTAMP);
    if (!row.USER_ID || !row.ITEM_ID || !Number.isFinite(timestamp)) {
      throw new Error(`seed file, row ${i + 2}: USER_ID, ITEM_ID and a numeric TIMESTAMP are required`);
    }
    return { userId: row.USER_ID, itemId: row.ITEM_ID, timestamp };
  });
}

/** An `s3://bucket/key` location split; `undefined` when it is not one. */
export function s3Location(location: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  return m ? { bucket: m[1] as string, key: m[2] as string } : undefined;
}

/** The user ids a deletion job's input names, or why the job fails. */
export async function readDeletionInput(
  source: ObjectSource,
  location: string,
  maxInputBytes: number,
): Promise<{ userIds: Set<string> } | Failure> {
  const at = s3Location(location);
  if (!at) return { failureReason: `Invalid S3 location: ${location}` };
  const { bucket, key } = at;
  const folder = key.endsWith("/") || key === "";
  const listed = await source.list(bucket, folder ? key : "");
  if (!listed) return { failureReason: `S3 bucket ${bucket} does not exist or is not accessible.` };
  const keys = folder ? listed : [key];
  const objects = await Promise.all(keys.map(async (k) => [k, await source.get(bucket, k)] as const));
  if (objects.length === 0 || objects.some(([, o]) => !o)) {
    return {
      failureReason: `Input file not found at ${location}. Check the S3 path and the role's s3:GetObject and s3:ListBucket permissions.`,
    };
  }
  const total = objects.reduce((n, [, o]) => n + (o as Uint8Array).length, 0);
  if (total > maxInputBytes) {
    return {
      failureReason: `Input data size of ${total} bytes exceeds the limit of ${maxInputBytes} bytes for a data deletion job.`,
    };
  }
  const userIds = new Set<string>();
  for (const [k, object] of objects) {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(object as Uint8Array);
    } catch {
      return { failureReason: `Input file s3://${bucket}/${k} is not valid UTF-8.` };
    }
    const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), {
      delimiter: ",",
      skipEmptyLines: true,
    });
    const header = parsed.data[0];
    if (parsed.errors.length > 0) {
      return {
        failureReason: `Input file s3://${bucket}/${k} is not a valid CSV: ${parsed.errors[0]?.message}`,
      };
    }
    if (header?.length !== 1 || header[0]?.trim() !== "USER_ID") {
      return { failureReason: `Input file s3://${bucket}/${k} must have a single USER_ID column header.` };
    }
    for (const row of parsed.data.slice(1)) {
      if (row.length !== 1) {
        return { failureReason: `Input file s3://${bucket}/${k} has a row with more than one column.` };
      }
      userIds.add(row[0] as string);
    }
  }
  return { userIds };
}
