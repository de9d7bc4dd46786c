// What a user installs: the package's dependencies are exactly what the library and the CLI import, `npm
// pack --json` is JSON, JSR can publish the source, and the README's `uses:` lines follow RELEASING.md.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "./support/process.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  dependencies: Record<string, string>;
  engines: { node: string };
};

// The package a bare specifier names: `@scope/name/sub` is `@scope/name`, `name/sub` is `name`.
const packageOf = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

function importsUnder(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
    for (const m of text.matchAll(/(?:from\s+|import\()\s*["']([^"'.][^"']*)["']/g)) {
      const specifier = m[1] as string;
      // The package's own name (in an example inside a message) is not a dependency.
      if (!specifier.startsWith("node:") && packageOf(specifier) !== pkg.name)
        found.add(packageOf(specifier));
    }
  }
  return found;
}

describe("the npm package", () => {
  test("its dependencies are exactly what src/ imports (the action's are bundled into dist/index.js)", () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...importsUnder("src")].sort());
    const action = importsUnder("action");
    for (const name of action) if (name !== pkg.name) expect(pkg.dependencies[name]).toBeUndefined();
    expect(action.has("@actions/core")).toBe(true);
  });

  test("npm pack --json prints JSON only, and ships every export", async () => {
    const { stdout, code } = await runProcess(["npm", "pack", "--json", "--dry-run"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
    });
    expect(code).toBe(0);
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const files = new Set(packed?.files.map((f) => f.path));
    for (const path of [
      "dist/lib/index.js",
      "dist/lib/emulator.js",
      "dist/lib/node.js",
      "dist/cli.js",
      "package.json",
    ])
      expect({ path, shipped: files.has(path) }).toEqual({ path, shipped: true });
  }, 60_000);

  test("deno publish --dry-run passes (no slow types in the JSR export)", async () => {
    const { stdout, stderr, code } = await runProcess(
      [join(ROOT, "node_modules/.bin/deno"), "publish", "--dry-run", "--allow-dirty"],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          DENO_DIR: join(ROOT, ".tmp", "deno-cache"),
          DENO_NO_UPDATE_CHECK: "1",
          NO_COLOR: "1",
        },
      },
    );
    expect(`${stdout}${stderr}`).toContain("Success Dry run complete");
    expect(code).toBe(0);
  }, 60_000);
});

describe("releases", () => {
  test("every uses: line of the README names the action by its moving major tag, as RELEASING.md says", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const releasing = readFileSync(join(ROOT, "RELEASING.md"), "utf8");
    const uses = [...readme.matchAll(/uses:\s*(personalize-data-deletion\/[\w./@-]+)/g)].map((m) => m[1]);
    expect(uses.length).toBeGreaterThan(0);
    const major = /`(v\d+)`/.exec(releasing)?.[1];
    expect(major).toBeDefined();
    for (const line of uses)
      expect(line).toBe(`personalize-data-deletion/personalize-data-deletion@${major}`);
  });
});
