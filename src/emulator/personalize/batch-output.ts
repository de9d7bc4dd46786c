// What the emulated batch jobs and dataset exports write to S3, as pure text: a batch inference job's `.out`
// JSON lines (the compact form of the guide's "Batch inference job output examples"), a batch segment job's
// (the spaced form of "Batch segment job output format examples") and an export's CSV. Recommendations come
// from the solution version's frozen users and items, picked by a hash of the input so the same input always
// gets the same output: a user erased after the training still shows up, as it would in AWS.
import type { InteractionRow } from "../state-types.ts";
import type { WorldVersion } from "./world.ts";

/** How many recommendations a line gets when the job names no `numResults` (the API's default). */
export const DEFAULT_NUM_RESULTS = 25;

// FNV-1a: stable across runs and runtimes, which is all the picking needs.
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** `count` entries of `pool` from a place set by `key`, in a stable order, each at most once. */
export function pick(pool: readonly string[], key: string, count: number): string[] {
  if (pool.length === 0) return [];
  const start = hash(key) % pool.length;
  const n = Math.min(count, pool.length);
  return Array.from({ length: n }, (_, i) => pool[(start + i) % pool.length] as string);
}

// Each non-empty line of a JSON lines file parsed, or why it is not an object with a string `field`.
function inputLines(text: string, field: string): ({ input: Record<string, unknown> } | { error: string })[] {
  return text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .filter((line) => line.trim() !== "")
    .map((line) => {
      let input: unknown;
      try {
        input = JSON.parse(line);
      } catch {
        return { error: "The input line is not valid JSON." };
      }
      const record = input as Record<string, unknown>;
      if (typeof input !== "object" || input === null || typeof record[field] !== "string")
        return { error: `The input line has no ${field}.` };
      return { input: record };
    });
}

/** A batch inference job's output for one input file: a line per input line, recommending items. */
export function inferenceOutput(text: string, version: WorldVersion, numResults: number): string {
  const items = [...(version.items ?? [])].sort();
  return inputLines(text, "userId")
    .map((line) => {
      if ("error" in line) return `${JSON.stringify({ input: null, output: null, error: line.error })}\n`;
      const userId = line.input.userId as string;
      const recommendedItems = pick(items, userId, numResults);
      const top = 0.01 + (hash(userId) % 1000) / 100_000;
      const scores = recommendedItems.map((_, i) => Number((top / (i + 1)).toFixed(7)));
      return `${JSON.stringify({ input: line.input, output: { recommendedItems, scores }, error: null })}\n`;
    })
    .join("");
}

/** A batch segment job's output for one input file: a line per input item, with the users most likely. */
export function segmentOutput(text: string, version: WorldVersion, numResults: number): string {
  const users = [...version.users].sort();
  return inputLines(text, "itemId")
    .map((line) => {
      if ("error" in line) return `{"input": null, "output": null, "error": ${JSON.stringify(line.error)}}\n`;
      const itemId = line.input.itemId as string;
      const recommended = pick(users, itemId, numResults).map((u) => JSON.stringify(u));
      return `{"input": {"itemId": ${JSON.stringify(itemId)}}, "output": {"recommendedUsers": [${recommended.join(", ")}]}}\n`;
    })
    .join("");
}

// RFC 4180: a field is quoted only when it must be.
const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** An interactions dataset's rows as the CSV an export writes: a header, then a row per interaction. */
export function exportCsv(rows: readonly InteractionRow[]): string {
  const lines = rows.map((r) => `${csvField(r.userId)},${csvField(r.itemId)},${r.timestamp}\n`);
  return `USER_ID,ITEM_ID,TIMESTAMP\n${lines.join("")}`;
}
