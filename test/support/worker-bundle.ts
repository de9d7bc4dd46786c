import { join } from "node:path";
import { build } from "esbuild";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Bundles a Worker module for workerd, resolving "personalize-data-deletion" to this checkout's source. */
export async function bundleWorker(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    alias: {
      "personalize-data-deletion/erasure": join(ROOT, "src/erasure/index.ts"),
      "personalize-data-deletion": join(ROOT, "src/index.ts"),
    },
    // The runtime's own modules (a Workflow's base class): workerd provides them.
    external: ["cloudflare:*"],
    logLevel: "error",
  });
  return (result.outputFiles[0] as { text: string }).text;
}
