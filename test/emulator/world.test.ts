// The world's clock on its own: imports, trainings and campaign updates move PENDING → IN_PROGRESS → done at
// a third and at the whole of their time; a version freezes the users present when its training started;
// a campaign that follows the latest version updates itself. With the sample seeding (seed.ts) and a
// snapshot round trip.
import { describe, expect, test } from "bun:test";
import { seedWorld } from "../../src/emulator/personalize/seed.ts";
import { type DueEvent, World, type WorldImport } from "../../src/emulator/personalize/world.ts";

const T0 = 1_800_000_000_000;
const DSG = "arn:aws:personalize:eu-west-1:123456789012:dataset-group/shop";

function world(importResult: (job: WorldImport) => { failureReason: string } | undefined = () => undefined) {
  const rows: { userId: string }[] = [{ userId: "u1" }, { userId: "u2" }];
  const w = new World(
    { importSeconds: 30, trainingSeconds: 60, campaignSeconds: 90 },
    (resource) => `arn:aws:personalize:eu-west-1:123456789012:${resource}`,
    async (job) => importResult(job) ?? [{ userId: "u9", itemId: "i", timestamp: 1 }],
    (_arn, added) => rows.push(...added),
    () => [...new Set(rows.map((r) => r.userId))].sort(),
  );
  return { w, rows };
}

// Applies what is due at `now`, earliest first, as the state does.
async function runUntil(w: World, now: number): Promise<number> {
  let applied = 0;
  for (;;) {
    const events: DueEvent[] = w.due(now);
    if (events.length === 0) return applied;
    await events.reduce((a, b) => (b.at < a.at ? b : a)).apply();
    applied++;
  }
}

describe("World", () => {
  test("the sample: a dataset, a solution with an ACTIVE version of every user, a campaign, a batch job", () => {
    const { w } = world();
    seedWorld(w, DSG, "shop", T0, true);
    expect([...w.datasets.values()].map((d) => d.datasetType)).toEqual(["Interactions"]);
    const [version] = [...w.versions.values()];
    expect(version?.status).toBe("ACTIVE");
    expect(version?.users).toEqual(["u1", "u2"]);
    expect([...w.campaigns.values()].map((c) => [c.name, c.syncWithLatestSolutionVersion])).toEqual([
      ["shop-campaign", false],
      ["shop-following-campaign", true],
    ]);
    expect([...w.batchJobs.values()].map((b) => b.kind)).toEqual(["inference"]);
    expect(w.datasetGroups.get(DSG)?.createdAt).toBeLessThan(T0);
    expect(w.due(T0)).toEqual([]);
  });

  test("an import is IN_PROGRESS at a third of its time and ACTIVE at the end, its rows then added", async () => {
    const { w, rows } = world();
    seedWorld(w, DSG, "shop", T0);
    const datasetArn = [...w.datasets.keys()][0] as string;
    w.imports.set("imp", {
      seq: ++w.seq,
      datasetImportJobArn: "imp",
      jobName: "imp",
      datasetArn,
      dataLocation: "s3://b/k.csv",
      importMode: "INCREMENTAL",
      status: "CREATE PENDING",
      createdAt: T0,
      updatedAt: T0,
    });
    await runUntil(w, T0 + 9_999);
    expect(w.imports.get("imp")?.status).toBe("CREATE PENDING");
    await runUntil(w, T0 + 10_000);
    expect(w.imports.get("imp")?.status).toBe("CREATE IN_PROGRESS");
    expect(rows.some((r) => r.userId === "u9")).toBe(false);
    await runUntil(w, T0 + 30_000);
    expect(w.imports.get("imp")).toMatchObject({ status: "ACTIVE", updatedAt: T0 + 30_000 });
    expect(rows.some((r) => r.userId === "u9")).toBe(true);
  });

  test("an import that cannot be read is CREATE FAILED with the reason, and adds nothing", async () => {
    const { w, rows } = world(() => ({ failureReason: "Input file not found at s3://b/k.csv" }));
    seedWorld(w, DSG, "shop", T0);
    w.imports.set("imp", {
      seq: ++w.seq,
      datasetImportJobArn: "imp",
      jobName: "imp",
      datasetArn: [...w.datasets.keys()][0] as string,
      dataLocation: "s3://b/k.csv",
      importMode: "FULL",
      status: "CREATE PENDING",
      createdAt: T0,
      updatedAt: T0,
    });
    await runUntil(w, T0 + 30_000);
    expect(w.imports.get("imp")).toMatchObject({
      status: "CREATE FAILED",
      failureReason: "Input file not found at s3://b/k.csv",
    });
    expect(rows.length).toBe(2);
  });

  test("a training freezes the users of its start; a following campaign moves to it, the other stays", async () => {
    const { w, rows } = world();
    seedWorld(w, DSG, "shop", T0, true);
    const solutionArn = [...w.solutions.keys()][0] as string;
    const old = [...w.versions.keys()][0] as string;
    const version = w.train(solutionArn, DSG, "FULL", T0, "retrain");
    rows.push({ userId: "u3" });
    expect(version.users).toEqual(["u1", "u2"]);
    await runUntil(w, T0 + 60_000);
    expect(version.status).toBe("ACTIVE");
    const [fixed, following] = [...w.campaigns.values()];
    expect(following?.update).toMatchObject({ solutionVersionArn: version.solutionVersionArn });
    expect(following?.solutionVersionArn).toBe(old);
    await runUntil(w, T0 + 60_000 + 90_000);
    expect(following?.solutionVersionArn).toBe(version.solutionVersionArn);
    expect(following?.moves).toEqual([version.solutionVersionArn]);
    expect(fixed?.solutionVersionArn).toBe(old);
    expect(fixed?.moves).toEqual([]);
  });

  test("a snapshot restores the world; an older one without dataset groups dates each from its dataset", () => {
    const { w } = world();
    seedWorld(w, DSG, "shop", T0);
    const data = JSON.parse(JSON.stringify(w.data()));
    const restored = world().w;
    restored.restore(data);
    expect(restored.data()).toEqual(w.data());
    expect(restored.seq).toBe(w.seq);

    const { datasetGroups: _groups, ...older } = data;
    const fromOlder = world().w;
    fromOlder.restore(older);
    const dataset = [...w.datasets.values()][0];
    expect(fromOlder.datasetGroups.get(DSG)).toEqual({
      datasetGroupArn: DSG,
      name: "shop",
      createdAt: dataset?.createdAt as number,
    });
  });
});
