// The big-data inputs of the bench (issue #23, "Fast on big data"), generated once into .tmp/bench/big and
// reused while the generator's version is unchanged. Deterministic: a seeded PRNG, so every run and every
// machine reads the same bytes.
//
// - interactions.csv: USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE, at least 500 MB, 2,000,000 users; one row in 997
//   has its USER_ID quoted. No CRLF lines: the readline filter it is compared with byte for byte drops CRs
//   (the property tests of test/outside cover CRLF).
// - erased.csv: USER_ID header and the 100,000 erased users (one user in 20).
// - batch-output.jsonl: a batch inference output of the same 2,000,000 users, one line each.
// - deletion-list.csv: a 20 MB deletion list of 540,000 ids with 2% duplicates, some quoted and some
//   space-padded (prepared with trimIds).
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

const VERSION = "3";
export const USERS = 2_000_000;
export const ERASED_EVERY = 20;
const CSV_BYTES = 512 * 1024 * 1024;

export interface BigData {
  dir: string;
  interactions: string;
  erased: string;
  jsonl: string;
  deletionList: string;
}

export const userId = (n: number): string => `user-${n}`;
export const erased = (n: number): boolean => n % ERASED_EVERY === 7;

// mulberry32: small, fast and the same everywhere.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Gathers text and writes it a few MB at a time.
class Writer {
  private parts: string[] = [];
  private pending = 0;
  bytes = 0;
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, "w");
  }
  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    this.bytes += text.length;
    if (this.pending > 4 << 20) this.flush();
  }
  private flush(): void {
    writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.pending = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

const EVENTS = ["click", "view", "purchase", "add-to-cart"];

export function bigData(root: string): BigData {
  const dir = join(root, "big");
  const data = {
    dir,
    interactions: join(dir, "interactions.csv"),
    erased: join(dir, "erased.csv"),
    jsonl: join(dir, "batch-output.jsonl"),
    deletionList: join(dir, "deletion-list.csv"),
  };
  const stamp = join(dir, "VERSION");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === VERSION) return data;
  mkdirSync(dir, { recursive: true });
  const started = performance.now();

  const ids = new Writer(data.erased);
  ids.write("USER_ID\n");
  for (let n = 0; n < USERS; n++) if (erased(n)) ids.write(`${userId(n)}\n`);
  ids.close();

  const random = prng(23);
  const csv = new Writer(data.interactions);
  csv.write("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
  for (let row = 0; csv.bytes < CSV_BYTES; row++) {
    const user = userId(Math.floor(random() * USERS));
    const item = `item-${Math.floor(random() * 300_000)}`;
    const time = 1_700_000_000 + Math.floor(random() * 30_000_000);
    const event = EVENTS[Math.floor(random() * EVENTS.length)];
    csv.write(`${row % 997 === 0 ? `"${user}"` : user},${item},${time},${event}\n`);
  }
  csv.close();

  const jsonl = new Writer(data.jsonl);
  for (let n = 0; n < USERS; n++) {
    const items: string[] = [];
    const scores: string[] = [];
    for (let k = 0; k < 12; k++) {
      items.push(`"item-${Math.floor(random() * 300_000)}"`);
      scores.push((random() / (k + 1)).toFixed(4));
    }
    jsonl.write(
      `{"input":{"userId":"${userId(n)}"},"output":{"recommendedItems":[${items.join(",")}],"scores":[${scores.join(",")}]}}\n`,
    );
  }
  jsonl.close();

  const list = new Writer(data.deletionList);
  list.write("USER_ID,SOURCE,REQUESTED_AT\n");
  for (let i = 0; i < 540_000; i++) {
    // 2% duplicates: every 50th row repeats an id from a few rows before.
    const n = i % 50 === 49 ? i - 7 : i;
    const id = `customer-${n.toString().padStart(9, "0")}`;
    const at = 1_764_000_000 + i;
    if (i % 200 === 0) list.write(`"${id}","web, mobile",${at}\n`);
    else if (i % 500 === 3) list.write(` ${id} ,mobile,${at}\n`);
    else list.write(`${id},mobile,${at}\n`);
  }
  list.close();

  writeFileSync(stamp, VERSION);
  console.error(
    `generated ${dir} in ${((performance.now() - started) / 1000).toFixed(0)} s (${(statSync(data.interactions).size / 1e6).toFixed(0)} MB CSV, ${(statSync(data.jsonl).size / 1e6).toFixed(0)} MB JSON lines, ${(statSync(data.deletionList).size / 1e6).toFixed(1)} MB list)`,
  );
  return data;
}

if (import.meta.main) bigData(join(new URL("../../", import.meta.url).pathname, ".tmp/bench"));
