// Measures a Worker bundle as Cloudflare would ship it: esbuild, minified, browser/worker conditions,
// gzip -9. Shared by the bundle-size budget in npm test and by npm run bench.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export interface BundleSize {
  raw: number;
  gzip: number;
  /** The bundle's text, for checks such as "no node: import". */
  text: string;
}

export async function measureBundle(
  entry: string,
  options: { platform?: "browser" | "neutral" } = {},
): Promise<BundleSize> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    platform: options.platform ?? "browser",
    conditions: ["workerd", "worker", "browser"],
    logLevel: "error",
  });
  const text = (result.outputFiles[0] as { text: string }).text;
  return { raw: text.length, gzip: gzipSync(text, { level: 9 }).length, text };
}

/** The Worker flows whose size is budgeted (bench/budget.json) and benchmarked. */
export const FLOWS = {
  core: { entry: "bench/flows/core.ts", label: "(a) create + describe + list + wait" },
  full: { entry: "bench/flows/full.ts", label: "(b) full flow from an array of ids" },
  csv: { entry: "bench/flows/csv.ts", label: "(c) full flow + prepareDeletionCsv" },
  erasure: { entry: "bench/flows/erasure.ts", label: "(d) a cron tick of the complete erasure" },
} as const;

/** The AWS SDK v3 doing what flows (a) and (b) do, for the size ratio the budget holds. */
export const SDK_FLOWS = {
  core: "bench/flows/sdk-core.ts",
  full: "bench/flows/sdk-full.ts",
} as const;
