// The CLI as Node users run it: src/cli/bin.ts bundled into one file inside the checkout (so Node resolves
// the external packages from its node_modules).
import { join } from "node:path";
import { build } from "esbuild";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Bundles the CLI to `outfile` for Node. */
export async function buildNodeCli(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(ROOT, "src/cli/bin.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "error",
    absWorkingDir: ROOT,
  });
}
