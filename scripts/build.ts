// Builds what is not committed: the library (dist/lib/: ESM + .d.ts) and the CLI for Node (dist/cli.js).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

/** The library's JavaScript: the root export, the erasure, the emulator and the Node edge, sharing chunks; dependencies stay imports. */
export async function buildLibrary(outdir = "dist/lib"): Promise<void> {
  await build({
    entryPoints: {
      index: "src/index.ts",
      erasure: "src/erasure/index.ts",
      emulator: "src/emulator/index.ts",
      node: "src/node/index.ts",
    },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    packages: "external",
    external: ["node:*"],
    logLevel: "warning",
  });
}

async function buildCli(): Promise<void> {
  await build({
    entryPoints: { cli: "src/cli/bin.ts" },
    outdir: "dist",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    packages: "external",
    logLevel: "warning",
  });
}

function buildDeclarations(): void {
  // Everything the build says goes to stderr: `npm pack --json` runs it, and its stdout must stay JSON.
  const tsc = spawnSync("tsc", ["-p", "tsconfig.build.json"], {
    stdio: ["ignore", 2, 2],
    shell: process.platform === "win32",
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // Declarations keep the source's ".ts" specifiers; point them at the emitted ".js"/".d.ts" pair instead.
  for (const entry of readdirSync("dist/lib/types", { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
    const path = join(entry.parentPath, entry.name);
    writeFileSync(
      path,
      readFileSync(path, "utf8").replace(/(from\s+["'](?:\.{1,2}\/)[^"']*?)\.ts(["'])/g, "$1.js$2"),
    );
  }
}

if (import.meta.main) {
  rmSync("dist/lib", { recursive: true, force: true });
  await buildLibrary();
  await buildCli();
  buildDeclarations();
  console.error("built dist/lib/ (ESM + .d.ts) and dist/cli.js");
}
