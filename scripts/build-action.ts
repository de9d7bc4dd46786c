// Bundles the GitHub Action (action/index.ts and everything it imports) into one ESM file, dist/index.js,
// which is committed as JavaScript actions require. `--check` rebuilds in memory and fails when the
// committed file differs, so a change to src/ or action/ cannot ship with a stale bundle.
import { readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

export async function bundleAction(): Promise<string> {
  const result = await build({
    entryPoints: ["action/index.ts"],
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    minify: false,
    treeShaking: true,
    legalComments: "none",
    write: false,
    logLevel: "warning",
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
    },
  });
  return (result.outputFiles[0] as { text: string }).text;
}

if (import.meta.main) {
  const text = await bundleAction();
  if (process.argv.includes("--check")) {
    const committed = readFileSync("dist/index.js", "utf8");
    if (committed !== text) {
      console.error("dist/index.js is stale: run `npm run build:action` and commit dist/index.js");
      process.exit(1);
    }
    console.log("dist/index.js is up to date");
  } else {
    writeFileSync("dist/index.js", text);
    console.log(`wrote dist/index.js (${text.length} bytes)`);
  }
}
