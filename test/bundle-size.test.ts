// The Worker bundle budget: each flow's gzipped size must stay within bench/budget.json, whose limits
// may only ever go down (checked against the file's git history when there is one).
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FLOWS, measureBundle } from "../bench/worker-bundle.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const budget = JSON.parse(readFileSync(join(ROOT, "bench/budget.json"), "utf8")) as Record<
  keyof typeof FLOWS,
  number
>;

describe("Worker bundle budget (minified, gzip -9)", () => {
  for (const [name, flow] of Object.entries(FLOWS) as [
    keyof typeof FLOWS,
    (typeof FLOWS)[keyof typeof FLOWS],
  ][]) {
    test(`${flow.label}: within ${budget[name]} bytes, no node: import`, async () => {
      const size = await measureBundle(join(ROOT, flow.entry));
      console.log(`${name}: ${size.gzip} bytes gzipped (${size.raw} minified), budget ${budget[name]}`);
      expect(size.gzip).toBeLessThanOrEqual(budget[name]);
      expect(size.text).not.toMatch(/["']node:/);
    });
  }

  test("the flows' bundles nest: core < full < csv, and papaparse only comes with csv", async () => {
    const [core, full, csv] = await Promise.all(
      Object.values(FLOWS).map((f) => measureBundle(join(ROOT, f.entry))),
    );
    expect((core as { gzip: number }).gzip).toBeLessThan((full as { gzip: number }).gzip);
    expect((full as { gzip: number }).gzip).toBeLessThan((csv as { gzip: number }).gzip);
    expect((full as { text: string }).text).not.toContain("MissingQuotes");
    expect((csv as { text: string }).text).toContain("MissingQuotes");
  });

  // Without the file's git history (a tarball, a shallow clone) there is nothing to compare: say so as a
  // skipped test rather than passing on an empty list.
  const log = spawnSync("git", ["log", "--format=%H", "--", "bench/budget.json"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const commits = log.status === 0 ? log.stdout.trim().split("\n").filter(Boolean).reverse() : [];
  test.skipIf(commits.length === 0)(
    `the limits never went up in the file's history${commits.length === 0 ? " (skipped: no git history of bench/budget.json here)" : ""}`,
    () => {
      const versions = commits.map((c) =>
        JSON.parse(
          spawnSync("git", ["show", `${c}:bench/budget.json`], { cwd: ROOT, encoding: "utf8" }).stdout,
        ),
      );
      versions.push(budget);
      expect(versions.length).toBeGreaterThan(1);
      for (let i = 1; i < versions.length; i++) {
        // A flow gets its limit when it is added; from then on it may only go down.
        for (const name of Object.keys(FLOWS)) {
          if (versions[i - 1][name] === undefined) continue;
          expect(versions[i][name]).toBeLessThanOrEqual(versions[i - 1][name]);
        }
      }
    },
  );
});
