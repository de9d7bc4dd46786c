// CSV preparation of one file in a fresh process: mode "ours" | "papaparse" | "scan". Prints JSON with
// seconds, MB/s and peak RSS above the process's baseline.
import { createReadStream, statSync } from "node:fs";
import Papa from "papaparse";
import { prepareDeletionCsv } from "personalize-data-deletion";
import { fileSource } from "../../src/node/index.ts";

const [mode, path] = process.argv.slice(2) as [string, string];
const size = statSync(path).size;
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);
const started = performance.now();
let count = 0;
if (mode === "ours") {
  // The file is read as the CLI reads it: streamed, 1 MiB at a time.
  const out = await prepareDeletionCsv([await fileSource(path)], { maxFileBytes: 200 * 1024 * 1024 });
  count = out.userCount;
} else if (mode === "papaparse") {
  await new Promise<void>((resolve, reject) => {
    const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { delimiter: ",", header: false });
    parser.on("data", () => count++);
    parser.on("end", resolve);
    parser.on("error", reject);
    createReadStream(path).pipe(parser);
  });
} else {
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) count++;
  }
}
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(
  JSON.stringify({
    mode,
    count,
    seconds,
    mbPerSecond: size / 1e6 / seconds,
    peakAboveBaselineMB: (peak - baseline) / 1e6,
    inputMB: size / 1e6,
  }),
);
