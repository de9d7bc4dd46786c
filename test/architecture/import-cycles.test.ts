// No import circle under src/: every module can be read, tested and moved without the ones that import it.
// Type-only imports count. They vanish at run time, but a circle of types still means neither module can be
// understood (or split) apart from the other, which is the point of the rule; dynamic `import("./x")` counts
// as well, as a lazy load is still a dependency.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const SRC = join(ROOT, "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

// `import … from "./x"`, `export … from "./x"`, `import "./x"` and `import("./x")`, over several lines too.
const SPECIFIER =
  /(?:^|[;\s])(?:import|export)\s[^;'"]*?from\s*["'](\.[^"']+)["']|\bimport\s*\(?\s*["'](\.[^"']+)["']/g;

/** The relative imports of a source text (comments removed, so an example in a comment is not one). */
export function relativeImports(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  return [...code.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2]) as string);
}

/** Every circle in a graph of module → the modules it imports, each once, as the path around it. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        const circle = stack.slice(stack.indexOf(next));
        const key = [...circle].sort().join(" ");
        if (!seen.has(key)) {
          seen.add(key);
          found.push([...circle, next]);
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const from = relative(ROOT, file);
    const targets = relativeImports(readFileSync(file, "utf8"))
      .map((specifier) => relative(ROOT, resolve(dirname(file), specifier.replace(/\?.*$/, ""))))
      .filter((target) => target.startsWith("src/"));
    graph.set(from, [...new Set(targets)]);
  }
  return graph;
}

describe("the import graph under src/", () => {
  test("the reader finds every kind of relative import and ignores comments and packages", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b.ts";',
      "import {\n  c,\n  type D,\n} from './c.ts';",
      'export { e } from "./e.ts";',
      'export * from "./f.ts";',
      'import "./g.ts";',
      'const h = await import("./h.ts");',
      'import * as v from "valibot";',
      '// import { x } from "./commented.ts";',
      '/* export { y } from "./blocked.ts"; */',
      'const text = "not an import from ./z.ts";',
    ].join("\n");
    expect(relativeImports(text)).toEqual([
      "./a.ts",
      "../b.ts",
      "./c.ts",
      "./e.ts",
      "./f.ts",
      "./g.ts",
      "./h.ts",
    ]);
  });

  test("the search finds a circle of two, a longer one, and none in a tree", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["a", "c"]],
      ["c", ["d"]],
      ["d", ["e"]],
      ["e", ["c"]],
      ["f", ["a", "c"]],
    ]);
    expect(cycles(graph)).toEqual([
      ["a", "b", "a"],
      ["c", "d", "e", "c"],
    ]);
    expect(
      cycles(
        new Map([
          ["a", ["b", "c"]],
          ["b", ["c"]],
          ["c", []],
        ]),
      ),
    ).toEqual([]);
  });

  test("every module is found, with its imports resolved to files that exist", () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(50);
    const missing = [...graph].flatMap(([from, targets]) =>
      targets.filter((t) => !graph.has(t)).map((t) => `${from} → ${t}`),
    );
    expect(missing).toEqual([]);
  });

  test("no module imports, through any chain, a module that imports it", () => {
    const circles = cycles(importGraph()).map((circle) => circle.join(" → "));
    expect(circles).toEqual([]);
  });
});
