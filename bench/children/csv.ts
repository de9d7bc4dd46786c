// CSV preparation of one file in a fresh process: mode "ours" | "papaparse" | "scan", then "trim" to prepare
// with trimIds. Prints JSON with seconds, MB/s, peak RSS above the process's baseline, and the process's peak
// RSS (the parent subtracts a bare process's).
import { createReadStream, readFileSync, statSync } from "node:fs";
import Papa from "papaparse";
import { prepareDeletionCsv } from "../../src/index.ts";
import { fileSource } from "../../src/node/index.ts";

const [mode, path, trim] = process.argv.slice(2) as [string, string, string | undefined];
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
  const out = await prepareDeletionCsv([await fileSource(path)], {
    maxFileBytes: 200 * 1024 * 1024,
    trimIds: trim === "trim",
  });
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
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    peakAboveBaselineMB: (peak - baseline) / 1e6,
    peakRssMB: peakRss(),
    inputMB: size / 1e6,
  }),
);

// The process's peak RSS (VmHWM, KiB), whatever happened between two samples. Not resourceUsage's maxRSS:
// Linux counts in it the parent's memory copied at the fork, before the exec (440 MB under the bench).
function peakRss(): number {
  return (Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024) / 1e6;
}
