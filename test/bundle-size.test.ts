// The Worker bundles' guard rails (bench/budget.json): each flow's gzipped size within its limit, the slim
// and full flows well smaller than the AWS SDK doing the same, and every rise of a limit given a reason.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FLOWS, measureBundle, SDK_FLOWS } from "../bench/worker-bundle.ts";

const ROOT = new URL("../", import.meta.url).pathname;
type Flow = keyof typeof FLOWS;
interface Budget {
  limits: Record<Flow, number>;
  sdkRatio: Partial<Record<Flow, number>>;
  raised: {
    date: string;
    limits: Partial<Record<Flow, number>>;
    sdkRatio?: Partial<Record<Flow, number>>;
    why: string;
  }[];
}
const budget = JSON.parse(readFileSync(join(ROOT, "bench/budget.json"), "utf8")) as Budget;
const flows = Object.entries(FLOWS) as [Flow, (typeof FLOWS)[Flow]][];

describe("Worker bundle guard rails (minified, gzip -9)", () => {
  for (const [name, flow] of flows) {
    test(`${flow.label}: within ${budget.limits[name]} bytes, no node: import`, async () => {
      const size = await measureBundle(join(ROOT, flow.entry));
      console.log(`${name}: ${size.gzip} bytes gzipped (${size.raw} minified), limit ${budget.limits[name]}`);
      expect(size.gzip).toBeLessThanOrEqual(budget.limits[name]);
      expect(size.text).not.toMatch(/["']node:/);
    });
  }

  for (const [name, ratio] of Object.entries(budget.sdkRatio) as [Flow, number][]) {
    test(`${FLOWS[name].label}: at least ${ratio}x smaller than the AWS SDK v3 doing the same`, async () => {
      const [ours, sdk] = await Promise.all([
        measureBundle(join(ROOT, FLOWS[name].entry)),
        measureBundle(join(ROOT, SDK_FLOWS[name as keyof typeof SDK_FLOWS])),
      ]);
      console.log(`${name}: the SDK's ${sdk.gzip} bytes are ${(sdk.gzip / ours.gzip).toFixed(1)}x ours`);
      expect(sdk.gzip / ours.gzip).toBeGreaterThanOrEqual(ratio);
    });
  }

  test("the flows' bundles nest: core < full < csv, and papaparse only comes with csv", async () => {
    const [core, full, csv] = await Promise.all(
      [FLOWS.core, FLOWS.full, FLOWS.csv].map((f) => measureBundle(join(ROOT, f.entry))),
    );
    expect((core as { gzip: number }).gzip).toBeLessThan((full as { gzip: number }).gzip);
    expect((full as { gzip: number }).gzip).toBeLessThan((csv as { gzip: number }).gzip);
    expect((full as { text: string }).text).not.toContain("MissingQuotes");
    expect((csv as { text: string }).text).toContain("MissingQuotes");
  });

  // Without the file's git history (a tarball, a shallow clone) there is nothing to compare: a skipped test
  // says so rather than passing on an empty list.
  const log = spawnSync("git", ["log", "--format=%H", "--", "bench/budget.json"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const commits = log.status === 0 ? log.stdout.trim().split("\n").filter(Boolean).reverse() : [];
  test.skipIf(commits.length === 0)(
    `every rise of a limit has its reason in raised${commits.length === 0 ? " (skipped: no git history of bench/budget.json here)" : ""}`,
    () => {
      // Older versions held the limits at the top level, as a ratchet.
      const limitsOf = (b: Record<string, unknown>) => (b.limits ?? b) as Record<string, number>;
      const versions = commits.map(
        (c) =>
          JSON.parse(
            spawnSync("git", ["show", `${c}:bench/budget.json`], { cwd: ROOT, encoding: "utf8" }).stdout,
          ) as Record<string, unknown>,
      );
      versions.push(budget as unknown as Record<string, unknown>);
      for (let i = 1; i < versions.length; i++) {
        const before = limitsOf(versions[i - 1] as Record<string, unknown>);
        const after = versions[i] as unknown as Budget;
        for (const name of Object.keys(FLOWS) as Flow[]) {
          const was = before[name];
          const now = limitsOf(after as unknown as Record<string, unknown>)[name];
          if (was === undefined || now === undefined || now <= was) continue;
          const reason = (after.raised ?? []).find((r) => r.limits[name] === now && r.why.length > 40);
          expect(reason, `${name} rose from ${was} to ${now} without a reason in raised`).toBeDefined();
        }
        // A ratio to the SDK that is lowered is a rail loosened too: it needs its reason as well.
        const ratioBefore = (versions[i - 1] as { sdkRatio?: Record<string, number> }).sdkRatio ?? {};
        for (const [name, now] of Object.entries(after.sdkRatio ?? {}) as [Flow, number][]) {
          const was = ratioBefore[name];
          if (was === undefined || now >= was) continue;
          const reason = (after.raised ?? []).find((r) => r.sdkRatio?.[name] === now && r.why.length > 40);
          expect(
            reason,
            `the ${name} ratio fell from ${was} to ${now} without a reason in raised`,
          ).toBeDefined();
        }
      }
    },
  );
});
