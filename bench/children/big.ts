// One big-data measure in a fresh process (issue #23, "Fast on big data"): `node big.mjs MODE ARGS...`.
// Prints JSON with the seconds, the throughput over the input's bytes and the process's peak RSS; the parent
// subtracts a bare process's peak (mode "bare"). Each mode loads the erased ids its own way, inside the
// timing: this project prepares them as the CLI does, the others read the erased-id file as they would.
//
//   bare
//   csv-ours | csv-readline | csv-duckdb   INPUT ERASED OUTPUT
//   jsonl-ours | jsonl-lines               INPUT ERASED OUTPUT
//   s3-put                                 ENDPOINT BUCKET KEY FILE
//   s3-ours | s3-sdk                       ENDPOINT BUCKET KEY ERASED
//   csv-compare                            A B (DuckDB: whether A and B hold the same rows, in any order)
import { once } from "node:events";
import { createReadStream, createWriteStream, readFileSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { Transport } from "../../src/aws/transport.ts";
import { prepareDeletionCsv } from "../../src/index.ts";
import { fileSource } from "../../src/node/index.ts";
import { scrubCsv } from "../../src/outside/csv-rows.ts";
import { IdSet } from "../../src/outside/ids.ts";
import { inspectLocation } from "../../src/outside/inspect.ts";
import { scrubJsonl } from "../../src/outside/jsonl-rows.ts";

const [mode, ...args] = process.argv.slice(2) as [string, ...string[]];
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const started = performance.now();
let bytes = 0;
const facts: Record<string, unknown> = {};

// The erased ids prepared as `scan` and `scrub` prepare them (src/cli/outside.ts).
async function ourIds(path: string): Promise<IdSet> {
  const prepared = await prepareDeletionCsv([await fileSource(path)]);
  return IdSet.fromDeletionFiles(prepared.files);
}

// The erased-id file as a plain filter reads it.
const idStrings = (path: string): Set<string> =>
  new Set(readFileSync(path, "utf8").split("\n").slice(1).filter(Boolean));

// A file as a byte stream of fresh 1 MiB chunks (the scrub passes views of them on, so none is reused).
const fileStream = (path: string): ReadableStream<Uint8Array> =>
  Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>;

// Writes a stream of many small views gathered a MiB at a time, as the CLI's scrub does.
async function writeAll(stream: ReadableStream<Uint8Array>, path: string): Promise<number> {
  const handle = await open(path, "w");
  const buffer = new Uint8Array(1 << 20);
  let filled = 0;
  let written = 0;
  const flush = async () => {
    let at = 0;
    while (at < filled) at += (await handle.write(buffer, at, filled - at)).bytesWritten;
    filled = 0;
  };
  for await (const value of stream as unknown as AsyncIterable<Uint8Array>) {
    written += value.length;
    let at = 0;
    while (at < value.length) {
      const n = Math.min(value.length - at, buffer.length - filled);
      buffer.set(value.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === buffer.length) await flush();
    }
  }
  await flush();
  await handle.close();
  return written;
}

// A readline filter: every line out but those whose user is erased.
async function lineFilter(input: string, output: string, user: (line: string) => string | undefined) {
  const ids = idStrings(args[1] as string);
  const out = createWriteStream(output);
  let buffered = "";
  let first = true;
  let kept = 0;
  for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    if (first && input.endsWith(".csv")) {
      first = false;
      buffered += `${line}\n`;
      continue;
    }
    const id = user(line);
    if (id === undefined || !ids.has(id)) {
      buffered += `${line}\n`;
      kept++;
    }
    if (buffered.length > 1 << 20) {
      if (!out.write(buffered)) await once(out, "drain");
      buffered = "";
    }
  }
  out.end(buffered);
  await once(out, "finish");
  facts.kept = kept;
}

// The SDK is loaded only by the modes that use it, so that it weighs on no other mode's peak.
const sdk = () => import("@aws-sdk/client-s3");
const s3 = async () =>
  new (await sdk()).S3Client({ region: "us-east-1", endpoint: args[0], forcePathStyle: true, credentials });

if (mode === "bare") {
  // Nothing: the floor every other mode's peak is measured above.
} else if (mode === "csv-ours" || mode === "jsonl-ours") {
  const [input, erased, output] = args as [string, string, string];
  bytes = statSync(input).size;
  const ids = await ourIds(erased);
  const scrub = mode === "csv-ours" ? scrubCsv(ids) : scrubJsonl(ids);
  facts.outputBytes = await writeAll(fileStream(input).pipeThrough(scrub), output);
  Object.assign(facts, scrub.count());
} else if (mode === "csv-readline") {
  const [input, , output] = args as [string, string, string];
  bytes = statSync(input).size;
  await lineFilter(input, output, (line) => {
    const comma = line.indexOf(",");
    const id = comma < 0 ? line : line.slice(0, comma);
    return id.charCodeAt(0) === 34 ? id.slice(1, -1).replaceAll('""', '"') : id;
  });
} else if (mode === "jsonl-lines") {
  const [input, , output] = args as [string, string, string];
  bytes = statSync(input).size;
  await lineFilter(input, output, (line) => {
    if (line.trim() === "") return undefined;
    const row = JSON.parse(line) as { userId?: string; input?: { userId?: string } };
    return row.userId ?? row.input?.userId;
  });
} else if (mode === "csv-duckdb") {
  const [input, erased, output] = args as [string, string, string];
  bytes = statSync(input).size;
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const connection = await instance.connect();
  const csv = (path: string) => `read_csv('${path}', header = true, all_varchar = true)`;
  await connection.run(
    `COPY (SELECT i.* FROM ${csv(input)} i ANTI JOIN ${csv(erased)} e ON i.USER_ID = e.USER_ID) TO '${output}' (HEADER, DELIMITER ',')`,
  );
  connection.closeSync();
  instance.closeSync();
} else if (mode === "csv-compare") {
  // DuckDB writes the rows in its own order and quotes as it likes: its output is compared as parsed rows,
  // each file's multiset summed up as the count and the sum of its rows' 64-bit hashes (EXCEPT ALL both
  // ways says the same but took 200 s and 3.7 GB here).
  const [a, b] = args as [string, string];
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const connection = await instance.connect();
  const summary = async (path: string) =>
    (
      await connection.runAndReadAll(
        `SELECT count(*)::VARCHAR, sum(hash(USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE))::VARCHAR FROM read_csv('${path}', header = true, all_varchar = true)`,
      )
    ).getRows()[0] as [string, string];
  const [rowsA, hashA] = await summary(a);
  const [rowsB, hashB] = await summary(b);
  Object.assign(facts, {
    rowsA: Number(rowsA),
    rowsB: Number(rowsB),
    same: rowsA === rowsB && hashA === hashB,
  });
  connection.closeSync();
  instance.closeSync();
} else if (mode === "s3-put") {
  const [, bucket, key, file] = args as [string, string, string, string];
  bytes = statSync(file).size;
  const client = await s3();
  const { Upload } = await import("@aws-sdk/lib-storage");
  await new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file) },
    partSize: 32 * 1024 * 1024,
    queueSize: 2,
  }).done();
  facts.contentLength = (
    await client.send(new (await sdk()).HeadObjectCommand({ Bucket: bucket, Key: key }))
  ).ContentLength;
} else if (mode === "s3-sdk") {
  const [, bucket, key] = args as [string, string, string];
  const answer = await (await s3()).send(new (await sdk()).GetObjectCommand({ Bucket: bucket, Key: key }));
  for await (const chunk of answer.Body as AsyncIterable<Uint8Array>) bytes += chunk.length;
} else if (mode === "s3-ours") {
  // The erasure's S3 engine: the location listed (every version of the key), each version read by a signed
  // GetObject and scanned as it arrives.
  const [endpoint, bucket, key, erased] = args as [string, string, string, string];
  const ids = await ourIds(erased);
  const target = {
    endpoint,
    transport: new Transport({ region: "us-east-1", credentials, requestTimeoutMs: 600_000 }),
  };
  const report = await inspectLocation(
    target,
    { kind: "given", location: `s3://${bucket}/${key}`, format: "csv" },
    ids,
  );
  const object = report.objects[0];
  if (report.objects.length !== 1 || !object)
    throw new Error(`expected one object, read ${report.objects.length}`);
  bytes = object.bytes;
  Object.assign(facts, { state: report.state, rows: object.rows, matching: object.matching });
} else {
  throw new Error(`unknown mode ${mode}`);
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage();
console.log(
  JSON.stringify({
    mode,
    seconds,
    // On a shared machine the wall clock holds the other processes' share too; CPU time tells them apart.
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    bytes,
    mbPerSecond: bytes / 1e6 / seconds,
    peakRssMB: peakRss(),
    ...facts,
  }),
);

// The process's peak RSS (VmHWM, KiB), whatever happened between two samples. Not resourceUsage's maxRSS:
// Linux counts in it the parent's memory copied at the fork, before the exec (440 MB under the bench).
function peakRss(): number {
  return (Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024) / 1e6;
}
