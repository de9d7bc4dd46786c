// examples/cloudflare-worker's reading of a failed window's receipt (src/window-erasure.ts, failureOf): the
// reason its requests end `failed` with is the line about the failure, for a window of two parts whose
// first part is still running as well as for one part. The receipt's lines come from the library's own
// verdict (src/erasure/receipt/judge.ts), never written by hand here.
import { describe, expect, test } from "bun:test";
import { failureOf } from "../../examples/cloudflare-worker/src/window-erasure.ts";
import { judge } from "../../src/erasure/receipt/judge.ts";
import type { ReceiptJob } from "../../src/erasure/types.ts";

const part = (n: number, status: string, more: Partial<ReceiptJob> = {}): ReceiptJob => ({
  purpose: "deletion",
  jobName: `w-shop-abc-part-${n}`,
  status,
  dataLocation: `s3://bucket/intake/shop/abc/part-${n}/`,
  sha256: `${n}`.repeat(64),
  interference: [],
  ...more,
});
const verdict = (jobs: ReceiptJob[], prepared: [string, string][] = []) =>
  judge({
    retrainRequested: false,
    updateCampaigns: false,
    jobs,
    prepared: new Map(prepared),
    files: [],
    solutions: [],
    campaigns: [],
    recommenders: [],
    outside: [],
    now: Date.parse("2026-12-01T10:00:00Z"),
  } as never);

describe("a failed window's reason", () => {
  test("two parts, the first IN_PROGRESS and the second FAILED: the FAILED part's line, not the first", () => {
    const receipt = verdict([part(1, "IN_PROGRESS"), part(2, "FAILED", { failureReason: "role denied" })]);
    expect(receipt.stage).toBe("failed");
    expect(receipt.pending[0]).toContain("IN_PROGRESS");
    expect(failureOf(receipt.pending)).toBe(
      "deletion job w-shop-abc-part-2 FAILED: role denied; erase again under another job name",
    );
  });

  test("two parts, the second not made from this run's list: that line", () => {
    const second = part(2, "COMPLETED");
    const receipt = verdict(
      [part(1, "IN_PROGRESS"), second],
      [[second.dataLocation as string, "f".repeat(64)]],
    );
    expect(receipt.stage).toBe("failed");
    expect(failureOf(receipt.pending)).toContain("w-shop-abc-part-2 was not made from this run's list");
  });

  test("no line names a failure: the first line; none at all: `failed`", () => {
    expect(failureOf(["deletion job w-1 is IN_PROGRESS"])).toBe("deletion job w-1 is IN_PROGRESS");
    expect(failureOf([])).toBe("failed");
  });
});
