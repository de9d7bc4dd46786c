// The runtime matrix, in the spirit of hono's runtime tests: one smoke suite (smoke.ts), a thin entry per
// runtime, all against one emulator. Node and Bun import the built package by name, Deno through its import
// map (the JSR export), workerd runs a Worker bundle in miniflare.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { buildLibrary } from "../../scripts/build.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.ts";
import { nodeBinaries } from "../support/node-binaries.ts";
import { runProcess } from "../support/process.ts";
import { bundleWorker } from "../support/worker-bundle.ts";
import type { SmokeResult, SmokeTarget } from "./smoke.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
// Node 20's fetch is undici 6, Node 24's undici 7.
const NODES = nodeBinaries();
const OUT = join(ROOT, ".tmp", `runtimes-${process.pid}`);
let emu: RunningEmulator;
let workerBundle = "";

beforeAll(async () => {
  emu = await startEmulator({ port: 0, jobSeconds: 0 });
  mkdirSync(OUT, { recursive: true });
  await buildLibrary(join(ROOT, "dist/lib"));
  await build({
    entryPoints: {
      "node-entry": join(ROOT, "test/runtimes/node/entry.ts"),
      "node-uploads": join(ROOT, "test/runtimes/node/uploads.ts"),
    },
    outdir: OUT,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    external: ["personalize-data-deletion"],
    logLevel: "error",
  });
  const worker = await bundleWorker(join(ROOT, "test/runtimes/workerd/worker.ts"));
  workerBundle = worker;
});
afterAll(() => emu.close());

const target = (runtime: string, userId: string): SmokeTarget => ({
  runtime,
  endpoint: emu.endpoint,
  datasetGroupArn: emu.emulator.datasetGroupArn,
  bucket: emu.emulator.bucket,
  userId,
});

async function spawnJson(cmd: string[], cwd: string): Promise<SmokeResult> {
  const { stdout, stderr, code } = await runProcess(cmd, {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      DENO_DIR: join(ROOT, ".tmp", "deno-cache"),
      DENO_NO_UPDATE_CHECK: "1",
    },
  });
  if (code !== 0) throw new Error(`${cmd[0]} exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split("\n").pop() as string);
}

function expectDeleted(result: SmokeResult, runtime: string) {
  const uploadBody = runtime === "node" ? "stream" : "bytes";
  // A Worker has no process.getBuiltinModule (no nodejs_compat here): its uploads hash with WebCrypto.
  const payloadHash = runtime === "workerd" ? "webcrypto" : "node:crypto";
  expect(result).toMatchObject({
    runtime,
    status: "COMPLETED",
    numDeleted: 3,
    userGone: true,
    uploadBody,
    payloadHash,
  });
  expect(result.listed).toBeGreaterThanOrEqual(1);
}

describe("runtime matrix", () => {
  test("Node (installed version) imports the built package by name", async () => {
    const result = await spawnJson(
      ["node", join(OUT, "node-entry.mjs"), JSON.stringify(target("node", "user-041"))],
      ROOT,
    );
    expectDeleted(result, "node");
  });

  for (const [label, nodeBinary, installed] of NODES)
    test.skipIf(!installed)(
      `${label}: Node's fetch gets streamed uploads; resets and dropped answers leave every object intact`,
      async () => {
        const faulty = await startEmulator({
          port: 0,
          jobSeconds: 0,
          faults: { resetRate: 0.15, dropResponseRate: 0.15, failRate: 0.1, seed: 11 },
        });
        try {
          const { stdout, stderr, code } = await runProcess(
            [
              nodeBinary,
              join(OUT, "node-uploads.mjs"),
              JSON.stringify({ endpoint: faulty.endpoint, bucket: faulty.emulator.bucket, count: 25 }),
            ],
            { cwd: ROOT, env: { PATH: process.env.PATH ?? "" } },
          );
          expect(stderr).toBe("");
          expect(code).toBe(0);
          const { sent, retries } = JSON.parse(stdout.trim()) as {
            sent: { key: string; sha256: string; offset: number }[];
            retries: number;
          };
          // Several files per list, most of them views at an offset into one buffer.
          expect(sent.length).toBeGreaterThanOrEqual(25 * 3);
          expect(sent.filter((s) => s.offset > 0).length).toBeGreaterThanOrEqual(25 * 2);
          const objects = faulty.emulator.state.buckets.get(faulty.emulator.bucket);
          for (const { key, sha256 } of sent) {
            const body = objects?.get(key)?.body as Uint8Array;
            expect(new TextDecoder().decode(body.subarray(0, 8))).toBe("USER_ID\n");
            expect(createHash("sha256").update(body).digest("hex")).toBe(sha256);
          }
          // The faults did hit the streamed PUTs, and each retry sent a fresh stream of the same bytes.
          expect(retries).toBeGreaterThan(5);
        } finally {
          faulty.close();
        }
      },
    );

  test("Bun imports the built package by name", async () => {
    const result = await spawnJson(
      [process.execPath, join(ROOT, "test/runtimes/bun/entry.ts"), JSON.stringify(target("bun", "user-042"))],
      ROOT,
    );
    expectDeleted(result, "bun");
  });

  test("Deno imports the JSR export through an import map, downloading nothing", async () => {
    const deno = join(ROOT, "node_modules/.bin/deno");
    const result = await spawnJson(
      [
        deno,
        "run",
        "--cached-only",
        "--allow-net=127.0.0.1",
        "--config",
        join(ROOT, "test/runtimes/deno/deno.json"),
        join(ROOT, "test/runtimes/deno/entry.ts"),
        JSON.stringify(target("deno", "user-043")),
      ],
      ROOT,
    );
    expectDeleted(result, "deno");
  });

  test("the Deno import map names the same dependency ranges as package.json", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const map = JSON.parse(readFileSync(join(ROOT, "test/runtimes/deno/deno.json"), "utf8")) as {
      imports: Record<string, string>;
    };
    for (const name of ["aws4fetch", "valibot", "papaparse"])
      expect(map.imports[name]).toBe(`npm:${name}@${pkg.dependencies[name]}`);
  });

  test("workerd (miniflare) runs the core in a Worker", async () => {
    const mf = new Miniflare({
      modules: true,
      script: workerBundle,
      compatibilityDate: "2026-04-01",
      bindings: { TARGET: JSON.stringify(target("workerd", "user-044")) },
    });
    try {
      const res = await mf.dispatchFetch("http://localhost/");
      const body = (await res.json()) as SmokeResult & { error?: string };
      expect(body.error).toBeUndefined();
      expectDeleted(body, "workerd");
    } finally {
      await mf.dispose();
    }
  });

  test("the Worker bundle pulls in no node: module and no require()", () => {
    expect(workerBundle.length).toBeGreaterThan(1000);
    expect(workerBundle).not.toMatch(/from\s*["']node:|import\(["']node:|require\(["']/);
    const core = readFileSync(join(ROOT, "src/index.ts"), "utf8");
    expect(core).not.toContain("node:");
  });
});
