// Builds what is not committed: the CLI for Node (dist/cli.js) and the library (dist/lib/). The action's
// bundle (dist/index.js) is built by scripts/build-action.ts and committed.
import { build } from "esbuild";

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
console.log("built dist/cli.js");
